"""Shell commands besides ``run``: each opens the database, does one job, prints a report."""

from __future__ import annotations

from bot.config import Settings


async def import_partners_command(settings: Settings, path: str) -> int:
    """``nps-bot import-partners FILE`` (filled in by the partner-directory owner)."""
    raise NotImplementedError


async def export_command(settings: Settings, out: str, campaign_id: int | None) -> int:
    """``nps-bot export --out FILE`` (filled in by the export owner)."""
    raise NotImplementedError

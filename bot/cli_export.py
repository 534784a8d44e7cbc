"""Placeholder: ``nps-bot export --out FILE`` (filled in by the export owner)."""

from __future__ import annotations

from bot.config import Settings


async def export_command(settings: Settings, out: str, campaign_id: int | None) -> int:
    """Export answers; returns the process exit code."""
    raise NotImplementedError

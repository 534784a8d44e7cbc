"""Placeholder: ``nps-bot import-partners FILE`` (filled in by the partner-directory owner)."""

from __future__ import annotations

from bot.config import Settings


async def import_partners_command(settings: Settings, path: str) -> int:
    """Import partners from a CSV file; returns the process exit code."""
    raise NotImplementedError

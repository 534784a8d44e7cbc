"""What the running bot is made of, handed to handlers (as keyword data) and to scheduled jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import Translator


@dataclass
class Services:
    """Long-lived parts of the application."""

    settings: Settings
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    translator: Translator
    # Long read-only work (digests, exports) on SQLite's worker threads instead of the event
    # loop's own (see storage/sqlite_inline.py). The same sessions when not set.
    report_sessionmaker: async_sessionmaker[AsyncSession] | None = None
    # Filled by the parts that own them (sending engine, scheduler) during build_app().
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def reports(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for long read-only work."""
        return self.report_sessionmaker or self.sessionmaker

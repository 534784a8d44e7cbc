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
    # Filled by the parts that own them (sending engine, scheduler) during build_app().
    extras: dict[str, Any] = field(default_factory=dict)

"""The web application without the rest of the bot: Services on a database, for HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.app import create_bot
from bot.config import Settings
from bot.i18n import Translator
from bot.services import Services
from storage.db import create_engine, create_sessionmaker
from tests.helpers import TOKEN

API_TOKEN = "test-api-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


@asynccontextmanager
async def web_services(db_url: str, **overrides: Any) -> AsyncIterator[Services]:
    """Services on ``db_url`` (the bot is never called: its API URL goes nowhere)."""
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": "http://127.0.0.1:9",
        "database_url": db_url,
        "api_token": API_TOKEN,
    }
    values.update(overrides)
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    engine = create_engine(db_url)
    bot = create_bot(settings)
    try:
        yield Services(
            settings=settings,
            bot=bot,
            sessionmaker=create_sessionmaker(engine),
            translator=Translator(settings.default_locale),
        )
    finally:
        await bot.session.close()
        await engine.dispose()

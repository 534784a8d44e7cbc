"""Production wiring. Tests build the very same objects through these factories."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import register_commands
from bot.config import Settings
from bot.handlers import routers
from bot.i18n import Translator
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.partner import PartnerLocaleMiddleware
from bot.middlewares.requests import CommitBeforeSend
from bot.polling import DurablePolling
from bot.response_models import pin_response_models
from bot.services import Services
from bot.telegram_session import JsonBodySession
from storage import hot_sql
from storage.db import create_engine, create_sessionmaker, is_sqlite
from storage.fsm_storage import SQLAlchemyStorage
from storage.repo.campaigns_base import ensure_ongoing_campaign

log = logging.getLogger(__name__)

# Hooks other parts register to start/stop with the app (sending engine, scheduler).
Starter = Callable[["App"], Awaitable[None]]


def create_bot(settings: Settings, *, request_timeout: float = 60) -> Bot:
    """The Bot, pointed at TELEGRAM_API_URL, committing before every request."""
    pin_response_models()
    session = JsonBodySession(
        api=TelegramAPIServer.from_base(settings.telegram_api_url), timeout=request_timeout
    )
    session.middleware(CommitBeforeSend())
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_dispatcher(services: Services) -> Dispatcher:
    """Dispatcher with storage, middlewares and every router; dependencies as keyword data."""
    dp = Dispatcher(
        storage=SQLAlchemyStorage(services.sessionmaker),
        # Registered below, after the session middleware, so FSM reads and writes go through
        # the update's own session and commit together with the answer.
        disable_fsm=True,
        services=services,
        settings=services.settings,
        translator=services.translator,
        sessionmaker=services.sessionmaker,
    )
    dp.update.outer_middleware(DbSessionMiddleware(services.sessionmaker))
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(PartnerLocaleMiddleware(services.translator))
    dp.include_routers(*routers())
    return dp


@dataclass
class App:
    """A built application: run() is what ``nps-bot run`` does after migrations."""

    services: Services
    dispatcher: Dispatcher
    engine: AsyncEngine
    polling: DurablePolling
    report_engine: AsyncEngine | None = None
    starters: list[Starter] = field(default_factory=list)
    stoppers: list[Starter] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # build_app's keyword options
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def bot(self) -> Bot:
        """The bot."""
        return self.services.bot

    async def run(self) -> None:
        """Start polling, sending and the scheduler; return after :meth:`stop`."""
        async with self.services.sessionmaker() as session:
            await ensure_ongoing_campaign(session)
            await session.commit()
        hot_sql.prepare_all(self.engine.dialect)
        try:
            me = await self.polling.connect()  # retries while Telegram is unreachable
        except BaseException:  # rejected token, or stopped before Telegram answered
            await self.bot.session.close()
            await self.engine.dispose()
            raise
        log.info("Starting @%s (id=%s)", me.username, me.id)
        await register_commands(self.bot, self.services.settings, self.services.translator)
        for start in self.starters:
            await start(self)
        try:
            await self.polling.run()
        finally:
            for stop in reversed(self.stoppers):
                try:
                    await stop(self)
                except Exception:
                    log.exception("Error while stopping")
            await self.bot.session.close()
            await self.engine.dispose()
            if self.report_engine is not None:
                await self.report_engine.dispose()

    def stop(self) -> None:
        """Begin a clean shutdown."""
        self.polling.stop()


def build_app(settings: Settings, *, polling_timeout: int = 25, **options: Any) -> App:
    """Build every part of the bot from settings (no I/O yet)."""
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    # Only SQLite runs statements inline; elsewhere the main engine already suits long reads.
    url = settings.database_url
    report_engine = create_engine(url, inline=False) if is_sqlite(url) else None
    bot = create_bot(settings, request_timeout=options.get("request_timeout", 60))
    services = Services(
        settings=settings,
        bot=bot,
        sessionmaker=sessionmaker,
        translator=Translator(settings.default_locale),
        report_sessionmaker=create_sessionmaker(report_engine) if report_engine else None,
    )
    dp = create_dispatcher(services)
    polling = DurablePolling(bot, dp, sessionmaker, polling_timeout=polling_timeout)
    app = App(services=services, dispatcher=dp, engine=engine, polling=polling, report_engine=report_engine)
    app.options = options
    for install in _installers():
        install(app)
    return app


def _installers() -> list[Callable[[App], None]]:
    """Parts that attach themselves to the app (sending engine, scheduler)."""
    from bot.sending.install import install as install_sender
    from scheduler.setup import install as install_scheduler

    return [install_sender, install_scheduler]


async def run_forever(app: App) -> None:
    """Run until SIGINT/SIGTERM."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, app.stop)
        except NotImplementedError:  # pragma: no cover - non-Unix
            pass
    await app.run()

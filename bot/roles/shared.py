"""What every role shares: the Bot, the send budget, the database and Services (the core), the
dispatcher with its handlers, and the :class:`App` that runs a built role.

Each role's builder (bot/roles/run.py, web.py, worker.py) starts from :func:`create_core` and
adds its own parts; bot/app.py picks the builder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import User
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import register_commands
from bot.config import Settings
from bot.handlers import routers
from bot.i18n import Translator
from bot.managers_chat import effective_id
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.fsm import UpdateFsmMiddleware
from bot.middlewares.partner import PartnerLocaleMiddleware
from bot.middlewares.requests import CommitBeforeSend
from bot.middlewares.stale_queries import StaleQueries
from bot.polling import DurablePolling
from bot.response_types import pin_reply_classes
from bot.send_budget import BudgetStore, DatabaseStore, MemoryStore, SendBudget
from bot.services import Services
from bot.startup import Backoff, connect
from bot.survey_definition import SurveyDefinition
from bot.web.server import WebServer
from scheduler.runner import Clock
from scheduler.setup import job_specs
from storage.db import create_engine, create_sessionmaker, is_sqlite, open_pool
from storage.fsm_storage import SQLAlchemyStorage
from storage.repo import partners
from storage.repo.campaigns_base import ensure_ongoing_campaign

if TYPE_CHECKING:  # the worker's module builds on this one
    from bot.roles.worker import Worker

log = logging.getLogger(__name__)

# Extra hooks run when the app starts and stops.
Starter = Callable[["App"], Awaitable[None]]


@dataclass(frozen=True)
class BuildOptions:
    """What ``build_app`` passes every role's builder besides the settings (bot/app.py)."""

    polling_timeout: int  # getUpdates' long poll
    request_timeout: float  # a Telegram request's
    clock: Clock  # the scheduler's time (tests move it)
    survey: SurveyDefinition  # the survey partners answer
    translator: Translator | None  # its wording (bot/locales when None)
    session_class: type[AiohttpSession] = AiohttpSession  # the Bots' HTTP session (tests: the fake's)


def create_bot(
    settings: Settings,
    *,
    request_timeout: float = 60,
    budget: SendBudget | None = None,
    bulk: bool = False,
    session_class: type[AiohttpSession] = AiohttpSession,
) -> Bot:
    """The Bot, pointed at TELEGRAM_API_URL, committing before every request, paced by ``budget``;
    ``bulk``: the bulk sender's, whose messages wait for a free line (bot/send_budget.py)."""
    pin_reply_classes()  # parsing a reply never rebuilds its class (bot/response_types.py)
    api = TelegramAPIServer.from_base(settings.telegram_api_url)
    session = session_class(api=api, timeout=request_timeout)
    session.middleware(CommitBeforeSend(budget, bulk=bulk))
    session.middleware(StaleQueries())  # every button's late press (bot/middlewares/stale_queries.py)
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_budget(settings: Settings, store: BudgetStore) -> SendBudget:
    """The bot's send budget (bot/send_budget.py), its state kept in ``store``."""
    return SendBudget(settings.telegram_rate, store, bulk_rate=settings.send_rate)


def create_dispatcher(services: Services, *, turns: BaseMiddleware | None = None) -> Dispatcher:
    """Dispatcher with storage, middlewares and every router; dependencies as keyword data."""
    storage = SQLAlchemyStorage(services.sessionmaker)
    dp = Dispatcher(
        storage=storage,
        # Replaced below, after the session middleware, by aiogram's FSM bound to each update's
        # unit of work (bot/middlewares/fsm.py): the state commits together with the answer.
        disable_fsm=True,
        services=services,
        settings=services.settings,
        translator=services.translator,
        sessionmaker=services.sessionmaker,
        survey=services.survey,
    )
    if turns is not None:  # webhook replicas: a partner's updates one at a time across them
        dp.update.outer_middleware(turns)
    dp.update.outer_middleware(DbSessionMiddleware(services.sessionmaker))
    dp.update.outer_middleware(UpdateFsmMiddleware(dp.fsm, storage))
    dp.update.outer_middleware(PartnerLocaleMiddleware(services.translator))
    dp.include_routers(*routers(services.survey))
    return dp


@dataclass
class Core:
    """The database and the services every role starts from."""

    services: Services
    engine: AsyncEngine
    report_engine: AsyncEngine | None
    budget: SendBudget  # the bot's send budget, which the bulk sender's Bot shares
    options: BuildOptions

    def create_bulk_bot(self) -> Bot:
        """A Bot for the bulk sender (bot/sending/engine.py): same token and budget, bulk's place
        in the line."""
        return create_bot(
            self.services.settings,
            request_timeout=self.options.request_timeout,
            budget=self.budget,
            bulk=True,
            session_class=self.options.session_class,
        )


def create_core(settings: Settings, options: BuildOptions, *, shared_budget: bool) -> Core:
    """Engines, sessionmaker, the Bot and :class:`Services` (no I/O yet).

    ``shared_budget``: the send budget lives in the database, shared by every ``web`` replica
    and the worker; else in memory, when one process sends everything (``run``)."""
    engine = create_engine(settings.database_url, pg_pool_size=settings.db_pool_size)
    sessionmaker = create_sessionmaker(engine)
    # Only SQLite runs statements inline; elsewhere the main engine already suits long reads.
    url = settings.database_url
    report_engine = create_engine(url, reports=True) if is_sqlite(url) else None
    store: BudgetStore = DatabaseStore(sessionmaker) if shared_budget else MemoryStore()
    budget = create_budget(settings, store)
    services = Services(
        settings=settings,
        bot=create_bot(
            settings,
            request_timeout=options.request_timeout,
            budget=budget,
            session_class=options.session_class,
        ),
        sessionmaker=sessionmaker,
        translator=options.translator or Translator(settings.default_locale),
        report_sessionmaker=create_sessionmaker(report_engine) if report_engine else None,
        jobs=tuple(job_specs(settings)),
        survey=options.survey,
    )
    return Core(
        services=services,
        engine=engine,
        report_engine=report_engine,
        budget=budget,
        options=options,
    )


class Receiver(Protocol):
    """Runs until :meth:`stop`; hands every update to the dispatcher, journal first."""

    async def run(self) -> None:
        """Receive until stopped."""

    def stop(self) -> None:
        """Begin a clean shutdown."""


@dataclass
class App:
    """A built role: :meth:`run` is what ``nps-bot run|web|worker`` does after migrations."""

    role: str
    services: Services
    dispatcher: Dispatcher | None  # None in the worker role: it handles no updates
    engine: AsyncEngine
    receiver: Receiver
    worker: Worker | None = None
    # The HTTP server beside long polling (API_TOKEN or PUBLIC_URL set); the webhook receiver serves its own.
    web: WebServer | None = None
    report_engine: AsyncEngine | None = None
    # Extra start/stop hooks, and what runs once start-up has finished (the classifier loaded).
    starters: list[Starter] = field(default_factory=list)
    stoppers: list[Starter] = field(default_factory=list)
    ready_hooks: list[Callable[[], None]] = field(default_factory=list)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def bot(self) -> Bot:
        """The bot."""
        return self.services.bot

    async def run(self) -> None:
        """Start the role's parts, receive until :meth:`stop`, then stop them in reverse."""
        async with self.services.sessionmaker() as session:
            await ensure_ongoing_campaign(session)
            # Admins who pressed Start before staff were told apart are staff from now on.
            await partners.mark_staff(session, self.services.settings.admin_ids)
            await session.commit()
            managers = await effective_id(session, self.services.settings)
        await open_pool(self.engine)
        try:
            me = await self._connect()  # retries while Telegram is unreachable
        except BaseException:  # rejected token, or stopped before Telegram answered
            await self._close_bots()
            await self.engine.dispose()
            raise
        log.info("Starting @%s (id=%s) as %s", me.username, me.id, self.role)
        menus = None
        if self.dispatcher is not None:  # the roles that handle updates show their commands
            # Published beside the receiver's start, not before it: nothing waits for the menus,
            # and against Telegram they cost a round trip (best effort, bot/commands.py).
            settings, translator = self.services.settings, self.services.translator
            menus = asyncio.create_task(
                register_commands(self.bot, settings, translator, managers), name="command-menus"
            )
        try:
            if self.worker is not None:
                await self.worker.start()
            for start in self.starters:
                await start(self)
            await self.receiver.run()
        finally:
            if menus is not None:
                menus.cancel()  # only when stopped within a round trip of the start
                await asyncio.gather(menus, return_exceptions=True)
            for stop in reversed(self.stoppers):
                await self._quietly(stop(self))
            if self.worker is not None:
                await self._quietly(self.worker.stop())
            await self._close_bots()
            await self.engine.dispose()
            if self.report_engine is not None:
                await self.report_engine.dispose()

    async def _close_bots(self) -> None:
        """Close the Bots' HTTP sessions at once: aiogram waits 0.25 s after closing each, for
        TLS connections to wind down."""
        bots = [self.bot] + ([self.worker.bulk_bot] if self.worker is not None else [])
        await asyncio.gather(*(bot.session.close() for bot in bots))

    @staticmethod
    async def _quietly(step: Awaitable[None]) -> None:
        try:
            await step
        except Exception:
            log.exception("Error while stopping")

    @property
    def polling(self) -> DurablePolling:
        """The long-polling receiver (AttributeError in webhook mode and in the worker role)."""
        if not isinstance(self.receiver, DurablePolling):
            raise AttributeError(f"role {self.role} does not poll")
        return self.receiver

    async def _connect(self) -> User:
        if isinstance(self.receiver, DurablePolling):
            return await self.receiver.connect()  # its sleep and backoff (tests record them)
        return await connect(self.bot, Backoff(), self._sleep_unless_stopped, self._stopping)

    async def _sleep_unless_stopped(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    def stop(self) -> None:
        """Begin a clean shutdown."""
        self._stopping.set()
        self.receiver.stop()

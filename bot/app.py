"""The one entry point that composes a role (run, web, worker) from typed parts.

Tests build the very same objects through these factories."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import User
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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
from bot.roles.turns import PartnerTurns
from bot.roles.web import Receiver, WebhookReceiver
from bot.roles.worker import Worker
from bot.send_budget import BudgetStore, DatabaseStore, MemoryStore, SendBudget
from bot.sending.engine import process_id
from bot.services import Services
from bot.startup import Backoff, connect
from bot.survey_definition import SURVEY, SurveyDefinition
from bot.web.app import create_web_app
from bot.web.server import WebServer
from scheduler.runner import Clock
from scheduler.setup import job_specs
from storage.db import create_engine, create_sessionmaker, is_sqlite, open_pool
from storage.fsm_storage import SQLAlchemyStorage
from storage.models import utcnow
from storage.repo import partners
from storage.repo.campaigns_base import ensure_ongoing_campaign

log = logging.getLogger(__name__)

# Extra hooks run when the app starts and stops.
Starter = Callable[["App"], Awaitable[None]]


def create_bot(settings: Settings, *, request_timeout: float = 60, budget: SendBudget | None = None) -> Bot:
    """The Bot, pointed at TELEGRAM_API_URL, committing before every request, paced by ``budget``."""
    pin_reply_classes()  # parsing a reply never rebuilds its class (bot/response_types.py)
    api = TelegramAPIServer.from_base(settings.telegram_api_url)
    session = AiohttpSession(api=api, timeout=request_timeout)
    session.middleware(CommitBeforeSend(budget))
    session.middleware(StaleQueries())  # every button's late press (bot/middlewares/stale_queries.py)
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_budget(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], role: str
) -> SendBudget:
    """The bot's send budget: in memory when one process sends everything (``run``), else in
    the database, shared by every ``web`` replica and the worker (bot/send_budget.py)."""
    store: BudgetStore = MemoryStore() if role == "run" else DatabaseStore(sessionmaker)
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


ROLES = ("run", "web", "worker")
WEBHOOK_CONCURRENCY = 12  # updates handled at once by one webhook replica
# Updates handled at once by long polling (the embedded default). No permit is held across a
# Telegram call (bot/middlewares/requests.py), so this bounds work on this process's CPU and
# database only; more at once made every SQLite write transaction longer (each statement waits
# for its turn on a crowded event loop) and the bursts slower (docs/benchmarks.md).
POLLING_CONCURRENCY = 16


class Idle:
    """The receiver of a role that receives nothing (``worker``): waits for stop()."""

    def __init__(self) -> None:
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        """Wait until stopped."""
        await self._stopped.wait()

    def stop(self) -> None:
        """Begin a clean shutdown."""
        self._stopped.set()


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
            await self.bot.session.close()
            await self.engine.dispose()
            raise
        log.info("Starting @%s (id=%s) as %s", me.username, me.id, self.role)
        if self.role != "worker":
            await register_commands(self.bot, self.services.settings, self.services.translator, managers)
        try:
            if self.worker is not None:
                await self.worker.start()
            for start in self.starters:
                await start(self)
            await self.receiver.run()
        finally:
            for stop in reversed(self.stoppers):
                await self._quietly(stop(self))
            if self.worker is not None:
                await self._quietly(self.worker.stop())
            await self.bot.session.close()
            await self.engine.dispose()
            if self.report_engine is not None:
                await self.report_engine.dispose()

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


def build_app(
    settings: Settings,
    *,
    role: str = "run",
    polling_timeout: int = 25,
    request_timeout: float = 60,
    clock: Clock = utcnow,
    survey: SurveyDefinition = SURVEY,
    translator: Translator | None = None,
) -> App:
    """Compose ``role`` from its typed parts (no I/O yet); see bot/roles/__init__.py.

    ``clock`` is the scheduler's time (tests move it); ``polling_timeout`` is getUpdates' long poll;
    ``survey`` the survey partners answer, ``translator`` its wording (bot/locales by default).
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    engine = create_engine(settings.database_url, pg_pool_size=settings.db_pool_size)
    sessionmaker = create_sessionmaker(engine)
    # Only SQLite runs statements inline; elsewhere the main engine already suits long reads.
    url = settings.database_url
    report_engine = create_engine(url, reports=True) if is_sqlite(url) else None
    budget = create_budget(settings, sessionmaker, role)
    services = Services(
        settings=settings,
        bot=create_bot(settings, request_timeout=request_timeout, budget=budget),
        sessionmaker=sessionmaker,
        translator=translator or Translator(settings.default_locale),
        report_sessionmaker=create_sessionmaker(report_engine) if report_engine else None,
        jobs=tuple(job_specs(settings)),
        survey=survey,
    )
    worker = Worker(services, clock=clock) if role in ("run", "worker") else None
    if worker is not None:
        services.sender = worker.sender
    # The worker handles no updates: no dispatcher (module routers belong to one at a time).
    owner = worker.holder if worker is not None else process_id()
    webhook = settings.webhook_url is not None
    turns = PartnerTurns(sessionmaker, owner) if webhook else None
    dp = create_dispatcher(services, turns=turns) if role != "worker" else None
    receiver: Receiver
    if dp is None:
        receiver = Idle()
    elif settings.webhook_url is not None:
        # An update holds a database connection while it runs: more at once than the pool has
        # (10 + 5 overflow) would make the rest fail after the pool timeout instead of queueing.
        handling = DurablePolling(services.bot, dp, sessionmaker, max_concurrency=WEBHOOK_CONCURRENCY)
        receiver = WebhookReceiver(services, dp, handling, owner=owner)
    elif role == "web":
        raise ValueError("nps-bot web receives updates by webhook: set WEBHOOK_URL and WEBHOOK_SECRET")
    else:
        receiver = DurablePolling(
            services.bot,
            dp,
            sessionmaker,
            polling_timeout=polling_timeout,
            max_concurrency=POLLING_CONCURRENCY,
        )
    web_server = None
    if isinstance(receiver, DurablePolling) and (settings.api_token or settings.public_url) is not None:
        web_server = WebServer(create_web_app(services, clock=clock), settings.web_host, settings.web_port)
    app = App(
        role=role,
        services=services,
        dispatcher=dp,
        engine=engine,
        receiver=receiver,
        worker=worker,
        web=web_server,
        report_engine=report_engine,
    )
    if web_server is not None:
        app.starters.insert(0, lambda _app: web_server.start())
        app.stoppers.insert(0, lambda _app: web_server.stop())
    if role != "worker":  # the roles that receive updates classify the comments in them
        from bot.theme_setup import install as install_themes

        install_themes(app)
    return app


async def run_forever(app: App) -> None:
    """Run until SIGINT/SIGTERM."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, app.stop)
        except NotImplementedError:  # pragma: no cover - non-Unix
            pass
    await app.run()

"""Fixtures: a fake Telegram server and the production app wired to it over real HTTP."""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App, build_app
from bot.config import Settings
from bot.i18n import Translator
from bot.middlewares.requests import UNCOMMITTED_WARNING
from scheduler import runtime
from storage.db import create_engine, create_sessionmaker
from tests.dbs import drop_database, migrate, new_database
from tests.fakebot import FakeTelegram, SimUser
from tests.fakebot.client import LoopbackSession
from tests.helpers import ADMIN_ID, BOT_ID, BOT_USERNAME, MANAGER_CHAT_ID, TOKEN

MakeSettings = Callable[..., Settings]
MakeApp = Callable[..., Awaitable[App]]


# Handlers that still reply before committing their writes, tolerated until their owners fix them
# (the guard commits for them meanwhile, so nothing is lost). Remove an entry once it commits.
UNCOMMITTED_ALLOWED: set[tuple[str, str]] = set()


class _UncommittedReplies(logging.Handler):
    """The request guard's warnings, each with the handler (file, function) that made the call."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.handlers: list[tuple[str, str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg != UNCOMMITTED_WARNING:
            return
        self.records.append(record)
        # Called inside log.warning(): the stack still holds the handler that made the call.
        frames = [f for f in traceback.extract_stack() if "/bot/handlers/" in Path(f.filename).as_posix()]
        if not frames:
            self.handlers.append(("?", "?", 0))
            return
        where = frames[-1]
        module = "bot/handlers/" + Path(where.filename).as_posix().rsplit("/bot/handlers/", 1)[1]
        self.handlers.append((module, where.name, where.lineno or 0))


@pytest.fixture(autouse=True)
def uncommitted_replies() -> Iterator[list[logging.LogRecord]]:
    """Fails any test in which a handler talked to Telegram before committing its writes (the
    request guard's warning, bot/middlewares/requests.py), naming the handler. A test of the
    guard itself empties the list it gets."""
    logger = logging.getLogger("bot.middlewares.requests")
    handler = _UncommittedReplies()
    level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    forgot = [
        f"{record.getMessage()} ({path}:{line} {name})"
        for record, (path, name, line) in zip(handler.records, handler.handlers, strict=False)
        if (path, name) not in UNCOMMITTED_ALLOWED
    ]
    if forgot:
        pytest.fail("; ".join(forgot), pytrace=False)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API server enforcing Telegram's limits."""
    srv = FakeTelegram(token=TOKEN, bot_id=BOT_ID, bot_username=BOT_USERNAME)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
def new_db(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """new_db("name") -> URL of a fresh database on the suite's backend, dropped after the test."""
    made: dict[str, str] = {}

    def _new(name: str) -> str:
        if name not in made:
            made[name] = new_database(tmp_path, name)
        return made[name]

    yield _new
    for url in made.values():
        drop_database(url)


@pytest.fixture
def db_url(new_db: Callable[[str], str]) -> str:
    """A fresh database per test: a SQLite file, or a PostgreSQL database (``TEST_DATABASE_URL``)."""
    return new_db("nps")


@pytest.fixture
def make_settings(tg: FakeTelegram, db_url: str) -> MakeSettings:
    """Settings pointed at the fake server; keyword overrides win."""

    def _make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "bot_token": TOKEN,
            "telegram_api_url": tg.base_url,
            "database_url": db_url,
            "admin_ids": str(ADMIN_ID),
            "manager_chat_id": MANAGER_CHAT_ID,
            "default_locale": "ru",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return _make


@functools.cache
def _translator(default_locale: str) -> Translator:
    """bot/locales parsed once per run (~0.1 s each time an app was built), not once per app."""
    return Translator(default_locale)


@pytest.fixture
def _running_apps() -> list[tuple[App, asyncio.Task[None]]]:
    return []


@pytest.fixture
async def make_app(
    tg: FakeTelegram, make_settings: MakeSettings, _running_apps: list[tuple[App, asyncio.Task[None]]]
) -> AsyncIterator[MakeApp]:
    """Build and run the production app (same factory as ``nps-bot run``) in the background."""
    running = _running_apps

    async def _make(**overrides: Any) -> App:
        build_keys = ("request_timeout", "clock", "role", "survey", "translator", "session_class")
        build_opts = {k: overrides.pop(k) for k in build_keys if k in overrides}
        settings = make_settings(**overrides)
        build_opts.setdefault("translator", _translator(settings.default_locale))
        build_opts.setdefault("session_class", LoopbackSession)
        await migrate(settings.database_url)
        app = build_app(settings, polling_timeout=1, **build_opts)
        # Started: polling asked for updates, the webhook is registered, or a worker has run its
        # first election round (active or standby).
        receiving = ("getUpdates", "setWebhook")
        before = sum(len(tg.calls_for(m)) for m in receiving)

        def started() -> bool:
            elected = app.worker is None or app.worker.decided.is_set()
            return elected and (app.role == "worker" or sum(len(tg.calls_for(m)) for m in receiving) > before)

        task = asyncio.create_task(app.run())
        running.append((app, task))
        await tg.wait_until(lambda: started() or task.done(), timeout=10)
        if task.done():
            task.result()
        runtime.bind(app.services)
        return app

    yield _make
    for app, task in reversed(running):
        app.stop()
        try:
            await asyncio.wait_for(task, timeout=15)
        except TimeoutError:
            task.cancel()
    runtime.bind(None)


@pytest.fixture
def stop_app(_running_apps: list[tuple[App, asyncio.Task[None]]]) -> Callable[[App], Awaitable[None]]:
    """Stop one running app cleanly (as SIGTERM would) and wait for it."""

    async def _stop(app: App) -> None:
        for item in list(_running_apps):
            if item[0] is app:
                app.stop()
                await asyncio.wait_for(item[1], timeout=15)
                _running_apps.remove(item)

    return _stop


@pytest.fixture
async def app(make_app: MakeApp) -> App:
    """The app with default test settings."""
    return await make_app()


@pytest.fixture
async def sessionmaker(app: App) -> async_sessionmaker[AsyncSession]:
    """Sessions on the running app's database (same engine, so no lock fights)."""
    return app.services.sessionmaker


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated database without the bot, for storage-level tests."""
    await migrate(db_url)
    engine = create_engine(db_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def admin(tg: FakeTelegram) -> SimUser:
    """The admin, in a private chat with the bot."""
    return SimUser(tg, user_id=ADMIN_ID, first_name="Admin", language_code="ru")


@pytest.fixture
def make_user(tg: FakeTelegram) -> Callable[..., SimUser]:
    """Partners in private chats: make_user(1001, language_code="en")."""

    def _make(
        user_id: int, first_name: str = "Партнер", language_code: str | None = "ru", **kw: Any
    ) -> SimUser:
        return SimUser(tg, user_id=user_id, first_name=first_name, language_code=language_code, **kw)

    return _make

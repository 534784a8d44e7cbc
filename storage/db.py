"""Engine and session factory.

SQLite is the embedded default. Two choices keep it free of "database is locked":
- every transaction starts with BEGIN IMMEDIATE, so a writer takes the lock up front and waits
  (busy_timeout) instead of failing when it upgrades a read snapshot that went stale;
- one pooled connection per process, so the bot's own concurrent updates queue on an asyncio
  pool checkout rather than on SQLite's sleeping busy handler. Handlers commit before they talk
  to Telegram, so the connection is held for milliseconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    """True for sqlite URLs."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a file-based SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (needed for IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, pool_size: int = 1, echo: bool = False) -> AsyncEngine:
    """Create the async engine for ``url`` with our SQLite settings when it is SQLite."""
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        engine = create_async_engine(
            url,
            echo=echo,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=120,
        )
        _install_sqlite_hooks(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit (handlers commit before sending)."""
    return async_sessionmaker(engine, expire_on_commit=False)

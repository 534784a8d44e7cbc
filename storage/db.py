"""Engine and session factory: one code path for SQLite and PostgreSQL.

SQLite (the embedded default) gets a few settings through SQLAlchemy's documented events
(the "Serializable isolation / Savepoints / Transactional DDL" recipe of its SQLite dialect):
- WAL mode: readers never block the writer or each other; ``synchronous=NORMAL`` is durable
  across a process crash (``kill -9``), which is what WAL needs.
- ``secure_delete``: erased personal data is overwritten, not left in free pages.
- The bot's engine opens every transaction with ``BEGIN IMMEDIATE`` and has one pooled
  connection: transactions of this process queue on the pool (asynchronously, in order), and a
  transaction never fails half-way with "database is locked" because its read snapshot could
  not be upgraded to a write. Handlers commit before every Telegram call, so the connection is
  held for milliseconds. Another process's lock is waited for in aiosqlite's thread
  (``busy_timeout``), never on the event loop.
- The report engine (digests, exports) reads in ordinary deferred transactions on connections
  of its own, so a long read never holds up partners.

PostgreSQL needs nothing special: its default pool and READ COMMITTED.
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


def _install_sqlite_settings(engine: AsyncEngine, *, begin: str) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver must not open transactions by itself: "begin" below does, our way.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def create_engine(
    url: str,
    *,
    echo: bool = False,
    reports: bool = False,
    inline: bool = True,
    pool_size: int | None = None,
) -> AsyncEngine:
    """The async engine for ``url``.

    ``reports=True`` (or the older spelling ``inline=False``) makes an engine for long
    read-only work (digests, exports): on SQLite it reads beside the bot's writer.
    """
    reports = reports or not inline
    if not is_sqlite(url):
        return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool_size or 5)
    ensure_sqlite_folder(url)
    engine = create_async_engine(
        url,
        echo=echo,
        poolclass=AsyncAdaptedQueuePool,
        pool_size=pool_size or (2 if reports else 1),
        max_overflow=0,
        pool_timeout=BUSY_TIMEOUT_MS / 1000 * 2,
    )
    _install_sqlite_settings(engine, begin="BEGIN" if reports else "BEGIN IMMEDIATE")
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit (handlers commit before sending)."""
    return async_sessionmaker(engine, expire_on_commit=False)

"""Engine and session factory: one code path for SQLite and PostgreSQL.

SQLite (the embedded default) gets its settings through SQLAlchemy's documented events
(the driver-level autocommit recipe of SQLAlchemy's SQLite dialect):
- WAL mode: readers never block the writer or each other; ``synchronous=NORMAL`` is durable
  across a process crash (``kill -9``), which is what WAL needs.
- ``secure_delete``: erased personal data is overwritten, not left in free pages.
- Reads run outside transactions (the driver autocommits), so a session that only reads never
  holds a lock, however long it stays open.
- The first write of a transaction is preceded by ``BEGIN IMMEDIATE``: the writer takes the
  write lock up front instead of failing half-way with "database is locked" when its read
  snapshot could not be upgraded. Waiting for the lock (another writer of this process, or
  another process such as ``nps-bot import-partners``) happens in aiosqlite's thread, within
  ``busy_timeout``, never on the event loop. Handlers commit before every Telegram call, so a
  write lock is held for milliseconds.

PostgreSQL needs nothing special: its default pool and READ COMMITTED.
"""

from __future__ import annotations

import re
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


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
_IN_WRITE = "sqlite_write_transaction"  # connection info key: we began one with BEGIN IMMEDIATE


def _install_sqlite_settings(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver: we open write transactions ourselves (below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _before_execute(
        conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _executemany: bool
    ) -> None:
        if _WRITE.match(statement) and not conn.info.get(_IN_WRITE):
            cursor.execute("BEGIN IMMEDIATE")
            conn.info[_IN_WRITE] = True

    @event.listens_for(sync_engine, "commit")
    @event.listens_for(sync_engine, "rollback")
    def _on_end(conn: Any) -> None:
        conn.info.pop(_IN_WRITE, None)

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        # The pool rolled back whatever was left open; nothing of ours is open any more.
        record.info.pop(_IN_WRITE, None)


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
    read-only work (digests, exports), with connections of its own beside the bot's.
    """
    reports = reports or not inline
    if not is_sqlite(url):
        return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool_size or 5)
    ensure_sqlite_folder(url)
    engine = create_async_engine(
        url,
        echo=echo,
        poolclass=AsyncAdaptedQueuePool,
        # Few connections: each is an aiosqlite thread, and writers queue on SQLite's lock anyway.
        pool_size=pool_size or (2 if reports else 3),
        max_overflow=3,
        pool_timeout=120,
    )
    _install_sqlite_settings(engine)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit (handlers commit before sending)."""
    return async_sessionmaker(engine, expire_on_commit=False)

"""Engine and session factory.

SQLite is the embedded default, tuned so concurrent updates never fail with "database is locked"
and rarely wait for each other:
- WAL mode: readers never block writers or each other.
- Reads run in autocommit mode, outside any transaction, so they take no lock.
- The first write statement of a transaction is preceded by BEGIN IMMEDIATE: the writer takes
  the write lock up front instead of failing later when a read snapshot could not be upgraded.
  Writers of this process first queue on an asyncio lock, so they never poll SQLite's lock; the
  lock is held only from the first write to the commit, and handlers commit before they talk to
  Telegram, so that is milliseconds.
- Statements run inline on the event loop thread unless the engine is made with
  ``inline=False`` (long reports); see ``storage/sqlite_inline.py`` for why and how.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.sqlite_inline import (
    INLINE_BUSY_MS,
    acquire_gate,
    begin_immediate,
    inline_connector,
    inline_of,
    release_gate,
)
from storage.update_session import UpdateSession, mark_inline

BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    """True for sqlite URLs."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a file-based SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _database_path(url: str) -> str:
    return str(Path(make_url(url).database or "").expanduser().resolve())


def _install_sqlite_hooks(engine: AsyncEngine, database: str) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver: we open the transaction ourselves, at the first write.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        busy = INLINE_BUSY_MS if inline_of(dbapi_conn) is not None else BUSY_TIMEOUT_MS
        cur.execute(f"PRAGMA busy_timeout = {busy}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")  # erased personal data is zeroed, not left in free pages
        cur.close()

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _before_execute(
        conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _executemany: bool
    ) -> None:
        if not _WRITE.match(statement):
            return
        raw = conn.connection.dbapi_connection
        if not _in_transaction(raw):
            acquire_gate(conn.info, database, BUSY_TIMEOUT_MS / 1000)
            try:
                begin_immediate(cursor, inline_of(raw), BUSY_TIMEOUT_MS / 1000)
            except BaseException:
                release_gate(conn.info)
                raise

    @event.listens_for(sync_engine, "commit")
    @event.listens_for(sync_engine, "rollback")
    def _on_end(conn: Any) -> None:
        release_gate(conn.info)

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        release_gate(record.info)  # backstop: a connection never goes back holding the gate


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


def _in_transaction(adapted: Any) -> bool:
    """Whether the sqlite3 connection behind SQLAlchemy's aiosqlite adapter is in a transaction."""
    inner = getattr(adapted, "_connection", adapted)  # aiosqlite.Connection or sqlite3.Connection
    return bool(getattr(inner, "in_transaction", False))


def create_engine(url: str, *, pool_size: int = 2, echo: bool = False, inline: bool = True) -> AsyncEngine:
    """Create the async engine for ``url`` with our SQLite settings when it is SQLite.

    ``inline=False`` keeps every statement on aiosqlite's thread: for long read-only work
    (digests, exports) that must not hold up the event loop.
    """
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        database = _database_path(url)
        extra: dict[str, Any] = {}
        if inline and make_url(url).database not in (None, "", ":memory:"):
            extra["async_creator"] = inline_connector(database)
        engine = create_async_engine(
            url,
            echo=echo,
            poolclass=AsyncAdaptedQueuePool,
            # Few connections on purpose: each is an aiosqlite thread competing for the GIL, and
            # writers queue on SQLite's lock anyway. Overflow leaves room for a report reader.
            pool_size=pool_size,
            max_overflow=3,
            pool_timeout=120,
            # Sessions always end their transaction; skipping the reset saves a round trip.
            pool_reset_on_return=None,
            **extra,
        )
        _install_sqlite_hooks(engine, database)
        if "async_creator" in extra:
            mark_inline(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit (handlers commit before sending).

    Sessions on inline SQLite run hot statements in light transactions (``storage/update_session.py``)."""
    return async_sessionmaker(engine, class_=UpdateSession, expire_on_commit=False)

"""Read-only sessions for heavy reports on SQLite.

The bot's engine has one connection and starts every transaction with BEGIN IMMEDIATE, so a
report built on it would hold the write lock, and partners' answers would wait behind it for as
long as the report takes. Reports instead open a short-lived engine of their own on the same
file: plain reads in WAL mode take no lock and see a consistent snapshot per statement, and
with two connections two aggregates run at once (SQLite releases the GIL while it works, so
both cores are used). Other backends handle concurrent reads themselves: there the given
sessionmaker is used as is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.db import BUSY_TIMEOUT_MS, create_sessionmaker, is_sqlite

READERS = 2
# Per-connection page cache. The default 2 MiB makes every join with partners re-read pages
# from the OS; 32 MiB holds the partners table of a large program and halves the breakdowns.
CACHE_KIB = 32 * 1024


def _engine_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine | None:
    bind = sessions.kw.get("bind")
    return bind if isinstance(bind, AsyncEngine) else None


@asynccontextmanager
async def report_sessions(
    sessions: async_sessionmaker[AsyncSession], readers: int = READERS
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions for a report: read-only, lock-free and ``readers`` wide on a file SQLite database."""
    engine = _engine_of(sessions)
    url = engine.url if engine is not None else None
    if (
        url is None
        or not is_sqlite(url.render_as_string(hide_password=False))
        or url.database
        in (
            None,
            "",
            ":memory:",
        )
    ):
        yield sessions
        return
    reader = create_async_engine(
        url, poolclass=AsyncAdaptedQueuePool, pool_size=readers, max_overflow=0, pool_timeout=120
    )

    @event.listens_for(reader.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA query_only = ON")
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        cur.close()

    try:
        yield create_sessionmaker(reader)
    finally:
        await reader.dispose()

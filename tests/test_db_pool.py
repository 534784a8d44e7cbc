"""The PostgreSQL pool: a connection the server dropped while it sat idle is replaced unseen;
one in steady use is not pinged (a ping costs three round trips, and an update checks out several)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from bot.app import build_app
from storage.db import PG_POOL_SIZE, create_engine, open_pool
from tests.conftest import MakeSettings
from tests.dbs import on_postgres

pytestmark = pytest.mark.skipif(not on_postgres(), reason="SQLite has no server to drop a connection")


async def _pid_then_dropped(url: str, *, ping_idle: float) -> tuple[AsyncEngine, int]:
    """The engine's pooled connection's server process, terminated from outside once idle."""
    engine = create_engine(url, ping_idle=ping_idle)
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
    admin = create_engine(url)
    try:
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()
    return engine, int(pid or 0)


async def test_a_connection_dropped_while_idle_is_replaced(db_url: str) -> None:
    engine, pid = await _pid_then_dropped(db_url, ping_idle=0.0)  # everything counts as idle
    try:
        async with engine.connect() as conn:  # no error: pinged, found gone, connected anew
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar() != pid
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(db_url: str) -> None:
    engine, _pid = await _pid_then_dropped(db_url, ping_idle=3600.0)
    try:
        with pytest.raises(DBAPIError):  # not pinged: the drop shows on first use...
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        async with engine.connect() as conn:  # ...and SQLAlchemy replaces the pool's connections
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_the_pool_is_opened_before_the_first_burst(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await open_pool(engine)  # App.run does it before it receives updates
        assert isinstance(engine.pool, QueuePool)
        assert engine.pool.checkedin() == engine.pool.size() == PG_POOL_SIZE
    finally:
        await engine.dispose()


async def test_db_pool_size_sets_the_bot_s_connections(make_settings: MakeSettings) -> None:
    """An operator on a server with more cores raises DB_POOL_SIZE; the pool never overflows it."""
    app = build_app(make_settings(db_pool_size=7))
    try:
        assert isinstance(app.engine.pool, QueuePool)
        assert app.engine.pool.size() == 7
        assert app.engine.pool.overflow() == -7  # counts up from -size: nothing checked out yet
    finally:
        await app.services.bot.session.close()
        await app.engine.dispose()

"""Light transactions (storage/update_session.py): hot statements on a bare pooled connection,
the ORM joining the same connection, hooks, rollback and the pool kept whole."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from storage import session_hooks
from storage.db import create_engine, create_sessionmaker
from storage.hot_sql import execute, execute_sync, fetch_all
from storage.migrate import upgrade_async
from storage.models import Partner
from storage.update_session import UpdateSession, light_of
from tests.partner_rows import ADD, AT, NAMES


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nps.db'}"
    await upgrade_async(url)
    eng = create_engine(url)
    yield eng
    await eng.dispose()


def _checked_out(engine: AsyncEngine) -> int:
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


async def _names(engine: AsyncEngine) -> list[str]:
    async with create_sessionmaker(engine)() as s:
        return [n for (n,) in await fetch_all(s, NAMES)]


async def test_hot_statements_run_light_and_commit(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as s:
        assert isinstance(s, UpdateSession)
        await execute(s, ADD, ext="light", at=AT)
        assert light_of(s.sync_session) is not None  # no SQLAlchemy transaction was needed
        assert not s.sync_session.in_transaction() and s.in_transaction()
        await s.commit()
        assert light_of(s.sync_session) is None and not s.in_transaction()
    assert await _names(engine) == ["light"]
    assert _checked_out(engine) == 0  # the connection went back to the pool


async def test_orm_joins_the_light_connection_one_commit_for_both(engine: AsyncEngine) -> None:
    """A hot write holds the writer queue; an ORM write after it must join, not wait for it."""
    sessions = create_sessionmaker(engine)
    async with sessions() as s:
        await execute(s, ADD, ext="hot", at=AT)
        s.add(Partner(external_id="orm", opted_out=False, started_at=AT))
        await s.flush()  # would wait 30 s for the queue if it took a second connection
        await execute(s, ADD, ext="hot-again", at=AT)
        await s.rollback()
    assert await _names(engine) == []
    async with sessions() as s:
        await execute(s, ADD, ext="hot", at=AT)
        s.add(Partner(external_id="orm", opted_out=False, started_at=AT))
        await s.commit()
        await execute(s, ADD, ext="next", at=AT)  # a new light transaction after the commit
        await s.commit()
    assert await _names(engine) == ["hot", "orm", "next"]
    assert _checked_out(engine) == 0


async def test_hooks_run_in_light_transactions(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    rolled_back: list[str] = []

    def hook(sync: Session) -> None:
        execute_sync(sync, ADD, ext=f"hook-{len(rolled_back)}", at=AT)

    async with sessions() as s:
        session_hooks.before_commit(s, hook)
        session_hooks.after_rollback(s, lambda _sync: rolled_back.append("x"))
        await fetch_all(s, NAMES)  # light, read-only so far: the hook writes at commit
        await s.commit()
        await execute(s, ADD, ext="undone", at=AT)
        await s.rollback()
    assert rolled_back == ["x"]
    assert await _names(engine) == ["hook-0"]


async def test_failing_commit_hook_writes_nothing_and_frees_the_connection(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)

    def broken(sync: Session) -> None:
        execute_sync(sync, ADD, ext="half", at=AT)
        raise RuntimeError("hook failed")

    async with sessions() as s:
        session_hooks.before_commit(s, broken)
        await execute(s, ADD, ext="answer", at=AT)
        with pytest.raises(RuntimeError):
            await s.commit()
        await s.rollback()
    assert await _names(engine) == []
    assert _checked_out(engine) == 0
    async with sessions() as s:  # the writer queue was released: the next writer is not stuck
        await execute(s, ADD, ext="after", at=AT)
        await s.commit()
    assert await _names(engine) == ["after"]


async def test_closing_with_open_light_transaction_rolls_back(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as s:
        await execute(s, ADD, ext="abandoned", at=AT)
    assert await _names(engine) == []
    assert _checked_out(engine) == 0


async def test_orm_first_keeps_sqlalchemy_transaction(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as s:
        s.add(Partner(external_id="orm", opted_out=False, started_at=AT))
        await s.flush()
        await execute(s, ADD, ext="hot", at=AT)
        assert light_of(s.sync_session) is None  # the hot statement joined SQLAlchemy's
        await s.commit()
    assert await _names(engine) == ["orm", "hot"]

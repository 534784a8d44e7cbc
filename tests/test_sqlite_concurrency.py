"""Concurrent writers never fail with "database is locked" nor freeze the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from storage import db
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import Partner
from tests.dbs import sqlite_only

pytestmark = sqlite_only


async def test_concurrent_writers_from_two_engines_all_commit(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nps.db'}"
    await upgrade_async(url)
    # Two engines stand for two processes (the bot and `nps-bot import-partners`).
    engines = [create_engine(url), create_engine(url)]
    makers = [create_sessionmaker(e) for e in engines]
    async with makers[0]() as s:
        s.add(Partner(external_id="counter", monthly_revenue=0))
        await s.commit()

    async def bump(i: int) -> None:
        async with makers[i % 2]() as s:
            # Read first, then write: the pattern that fails under deferred transactions when
            # another writer commits in between (SQLITE_BUSY_SNAPSHOT).
            partner = await s.scalar(select(Partner).where(Partner.external_id == "counter"))
            assert partner is not None
            await asyncio.sleep(0)
            s.add(Partner(external_id=f"p{i}"))
            await s.flush()
            partner = await s.scalar(
                select(Partner)
                .where(Partner.external_id == "counter")
                .execution_options(populate_existing=True)
            )
            assert partner is not None
            partner.monthly_revenue = (partner.monthly_revenue or 0) + 1
            await s.commit()

    try:
        await asyncio.gather(*(bump(i) for i in range(200)))
        async with makers[1]() as s:
            counter = await s.scalar(select(Partner).where(Partner.external_id == "counter"))
            rows = (await s.scalars(select(Partner.external_id))).all()
    finally:
        for e in engines:
            await e.dispose()
    assert len(rows) == 201
    # Every increment survived: the write lock was taken before the value was re-read.
    assert counter is not None and int(counter.monthly_revenue or 0) == 200


async def test_writers_that_yield_while_holding_the_lock_queue_instead_of_freezing(tmp_path: Path) -> None:
    """Writers of one process queue for the bot engine's connection (asynchronously) and the
    report engine's connections wait in SQLite's busy handler: 100 writers on both engines,
    each pausing while it holds the write lock, all commit."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'nps.db'}"
    await upgrade_async(url)
    engines = [create_engine(url), create_engine(url, reports=True)]
    makers = [create_sessionmaker(e) for e in engines]

    async def write(i: int) -> None:
        async with makers[i % 2]() as s:
            s.add(Partner(external_id=f"p{i}"))
            await s.flush()  # BEGIN IMMEDIATE: this session holds SQLite's write lock now
            await asyncio.sleep(0.002)  # e.g. awaiting something else before the commit
            await s.commit()

    try:
        # A hang guard only (how fast is the benchmarks' business), generous for a loaded machine.
        await asyncio.wait_for(asyncio.gather(*(write(i) for i in range(100))), 120)
        async with makers[0]() as s:
            count = len((await s.scalars(select(Partner.external_id))).all())
    finally:
        for e in engines:
            await e.dispose()
    assert count == 100


async def test_loop_keeps_running_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    """A long `nps-bot import-partners` must not freeze the bot: the inline writer waits
    asynchronously for the lock, other tasks keep running, and the write lands afterwards."""
    path = tmp_path / "nps.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_async(url)
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    other = sqlite3.connect(path, isolation_level=None)  # another process, as far as locks go
    other.execute("BEGIN IMMEDIATE")
    ticks = 0
    thirty_ticks = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1
            if ticks == 30:
                thirty_ticks.set()

    async def write() -> None:
        async with maker() as s:
            s.add(Partner(external_id="waited"))
            await s.commit()

    tick_task = asyncio.create_task(ticker())
    writer = asyncio.create_task(write())
    try:
        # The loop keeps running while the writer waits: a blocked loop would never tick 30
        # times (it would hang here until the other connection commits, which it does not).
        await asyncio.wait_for(thirty_ticks.wait(), 20)
        assert not writer.done()  # still waiting for the lock, not failed
        other.execute("COMMIT")
        await asyncio.wait_for(writer, 5)
        async with maker() as s:
            found = await s.scalar(select(Partner).where(Partner.external_id == "waited"))
    finally:
        tick_task.cancel()
        other.close()
        await engine.dispose()
    assert found is not None


async def test_a_second_writer_inside_a_write_fails_instead_of_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing on a second session while the first holds the lock can never succeed; it must end
    with an error after the timeout (the pool's, or SQLite's "database is locked"), not hang."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    url = f"sqlite+aiosqlite:///{tmp_path / 'nps.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    try:
        async with maker() as outer:
            outer.add(Partner(external_id="outer"))
            await outer.flush()
            async with maker() as inner:
                inner.add(Partner(external_id="inner"))
                with pytest.raises((OperationalError, PoolTimeout)):
                    await asyncio.wait_for(inner.flush(), 10)
            await outer.commit()
        async with maker() as s:
            rows = (await s.scalars(select(Partner.external_id))).all()
    finally:
        await engine.dispose()
    assert rows == ["outer"]  # the first writer was not disturbed

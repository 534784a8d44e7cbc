"""The SQLite write gate: one writer at a time, in order of asking, the journal first."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.write_gate import WRITE_FIRST, WriteGate
from tests.dbs import sqlite_only


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_turns_go_in_order_of_asking_write_first_ahead() -> None:
    gate = WriteGate(timeout=30)
    order: list[str] = []
    await gate.acquire()

    async def writer(name: str, first: bool = False) -> None:
        await gate.acquire(first=first)
        order.append(name)
        gate.release()

    tasks = [asyncio.create_task(writer("a")), asyncio.create_task(writer("b"))]
    await _settle()
    tasks.append(asyncio.create_task(writer("journal", first=True)))
    await _settle()
    assert order == []  # nobody writes while the turn is held
    gate.release()
    await asyncio.gather(*tasks)
    assert order == ["journal", "a", "b"]
    assert not gate.held


async def test_a_cancelled_waiter_does_not_keep_the_turn() -> None:
    gate = WriteGate(timeout=30)
    await gate.acquire()
    cancelled = asyncio.create_task(gate.acquire())
    after = asyncio.create_task(gate.acquire())
    await _settle()
    cancelled.cancel()
    await _settle()
    gate.release()
    await asyncio.wait_for(after, 5)
    gate.release()
    assert not gate.held


async def test_a_turn_not_given_in_time_is_taken_over(caplog: pytest.LogCaptureFixture) -> None:
    """A turn its holder never gives back costs one wait, not one per later write."""
    gate = WriteGate(timeout=0.05)
    await gate.acquire()  # and never given back
    await asyncio.wait_for(gate.acquire(), 5)  # waits out the timeout, then holds the turn
    assert "not given back" in caplog.text
    after = asyncio.create_task(gate.acquire())
    await _settle()
    assert not after.done()  # the next writer waits for the new holder, not the timeout
    gate.release()
    await asyncio.wait_for(after, 1)
    gate.release()
    assert not gate.held


@sqlite_only
async def test_a_failed_begin_gives_the_turn_back(tmp_path) -> None:
    """A write that fails before it starts (here: a read-only database) must not leave the
    process's write turn taken: the next write still runs."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        async with engine.connect() as conn:
            await conn.execute(text("PRAGMA query_only = ON"))
            with pytest.raises(Exception, match=r"readonly|read-only|query_only"):
                await conn.execute(text("INSERT INTO t VALUES (1)"))
            await conn.rollback()
            await conn.execute(text("PRAGMA query_only = OFF"))
        async with engine.begin() as conn:
            await asyncio.wait_for(conn.execute(text("INSERT INTO t VALUES (2)")), 10)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT x FROM t"))).scalars().all() == [2]
    finally:
        await engine.dispose()


@sqlite_only
async def test_the_journal_write_goes_before_writers_already_waiting(tmp_path) -> None:
    """On a real file: while one transaction writes, a journal write asked for after others
    runs before them, so the polling loop is not held behind every handler's write."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    engine = create_engine(url)
    order: list[str] = []
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (name TEXT)"))
        holder = await engine.connect()
        await holder.execute(text("INSERT INTO t VALUES ('holder')"))  # holds the turn

        async def write(name: str, first: bool = False) -> None:
            async with engine.begin() as conn:
                opts = {WRITE_FIRST: True} if first else {}
                await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": name}, execution_options=opts)
                order.append(name)

        tasks = [asyncio.create_task(write("handler"))]
        await asyncio.sleep(0.05)
        tasks.append(asyncio.create_task(write("journal", first=True)))
        await asyncio.sleep(0.05)
        assert order == []
        await holder.commit()
        await holder.close()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        assert order == ["journal", "handler"]
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT name FROM t ORDER BY rowid"))).scalars().all()
        assert rows == ["holder", "journal", "handler"]
    finally:
        await engine.dispose()


async def _lose_a_writer_then_write(db_url: str, lose: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    """``lose`` leaves a writer's transaction behind; the next write must go on at once (not
    after the gate's 30 s), and only it is stored."""
    engine = create_engine(db_url)
    try:
        async with engine.connect() as setup:
            await setup.execute(text("CREATE TABLE t (v INTEGER)"))
            await setup.commit()
        await lose(engine)

        async def write() -> None:
            async with engine.connect() as conn:
                await conn.execute(text("INSERT INTO t VALUES (2)"))
                await conn.commit()

        await asyncio.wait_for(write(), 10)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT v FROM t"))).scalars().all() == [2]
    finally:
        await engine.dispose()


@sqlite_only
async def test_an_invalidated_writer_gives_its_turn_back(db_url: str) -> None:
    """A write cut off mid-transaction (a task cancelled at shutdown invalidates its connection)
    must not keep the write turn."""

    async def cut(engine: AsyncEngine) -> None:
        conn = await engine.connect()
        await conn.execute(text("INSERT INTO t VALUES (1)"))  # holds the turn
        await conn.invalidate()
        await conn.close()

    await _lose_a_writer_then_write(db_url, cut)


@sqlite_only
async def test_a_connection_dropped_unreturned_gives_its_turn_back(db_url: str) -> None:
    """A connection left open mid-write and garbage-collected (SQLAlchemy terminates it, which
    ends its transaction) must not keep the write turn."""

    async def drop(engine: AsyncEngine) -> None:
        async def leak() -> None:
            conn = await engine.connect()
            await conn.execute(text("INSERT INTO t VALUES (1)"))  # holds the turn; never closed

        await leak()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's own warning about the dropped connection
            gc.collect()

    await _lose_a_writer_then_write(db_url, drop)

"""Hot statements give the same results straight on sqlite3 as through SQLAlchemy, and keep
its transaction rules: writers queue, commit keeps, rollback undoes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from storage import session_hooks
from storage.db import create_engine, create_sessionmaker
from storage.hot_sql import HotStatement, execute, execute_many, execute_sync, fetch_all, fetch_one
from storage.migrate import upgrade_async
from storage.models import Partner
from tests.partner_rows import ADD, AT, NAMES, P

_GET = HotStatement(
    select(P.c.id, P.c.external_id, P.c.started_at, P.c.opted_out).where(P.c.id == bindparam("pid"))
)
_RENAME = HotStatement(
    update(P)
    .where(P.c.external_id == bindparam("old"))
    .values(external_id=bindparam("new"), updated_at=bindparam("at"))
)


@pytest.fixture(params=["inline", "threaded"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncEngine:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nps.db'}"
    await upgrade_async(url)
    eng = create_engine(url, inline=request.param == "inline")
    yield eng
    await eng.dispose()


async def test_rows_ids_and_types_match_sqlalchemy(engine: AsyncEngine) -> None:
    """Threaded engines take SQLAlchemy's own path; both must read back what the ORM reads."""
    sessions = create_sessionmaker(engine)
    async with sessions() as s:
        first = await execute(s, ADD, ext="a-1", at=AT)
        second = await execute(s, ADD, ext="a-2", at=AT)
        changed = await execute(s, _RENAME, old="a-2", new="b-2", at=AT)
        await s.commit()
    assert second == first + 1 and changed == 1
    async with sessions() as s:
        row = await fetch_one(s, _GET, pid=first)
        missing = await fetch_one(s, _GET, pid=first + 100)
        names = await fetch_all(s, NAMES)
        orm = await s.get(Partner, first)
    assert row == (first, "a-1", AT, False)  # aware UTC datetime and bool, as the ORM gives them
    assert orm is not None and (orm.started_at, orm.opted_out) == (AT, False)
    assert missing is None
    assert names == [("a-1",), ("b-2",)]


async def test_rollback_undoes_and_commit_keeps(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions() as s:
        await execute(s, ADD, ext="gone", at=AT)
        await s.rollback()
        await execute(s, ADD, ext="kept", at=AT)
        await s.commit()
    async with sessions() as s:
        assert await fetch_all(s, NAMES) == [("kept",)]


async def test_concurrent_hot_writers_queue_and_all_commit(engine: AsyncEngine) -> None:
    """Writers that pause inside their transaction wait their turn; none fails as locked."""
    sessions = create_sessionmaker(engine)

    async def writer(i: int) -> None:
        async with sessions() as s:
            await execute(s, ADD, ext=f"w-{i}", at=AT)
            await asyncio.sleep(0.001)  # as a handler awaiting something mid-transaction
            await execute(s, _RENAME, old=f"w-{i}", new=f"done-{i}", at=AT)
            await s.commit()

    await asyncio.gather(*(writer(i) for i in range(50)))
    async with sessions() as s:
        names = {n for (n,) in await fetch_all(s, NAMES)}
    assert names == {f"done-{i}" for i in range(50)}


async def test_many_rows_and_a_session_hook_write_commit_together(engine: AsyncEngine) -> None:
    """execute_many writes every row; a before-commit hook writes in the same transaction, or
    opens the write transaction itself when nothing else has; a rollback undoes both."""
    sessions = create_sessionmaker(engine)

    hooked: list[str] = []

    def hook(sync: Session) -> None:
        hooked.append(f"hook-{len(hooked)}")
        execute_sync(sync, ADD, ext=hooked[-1], at=AT)

    async with sessions() as s:
        session_hooks.before_commit(s, hook)
        await execute_many(s, ADD, [{"ext": f"gone-{i}", "at": AT} for i in range(3)])
        await s.rollback()
    async with sessions() as s:
        session_hooks.before_commit(s, hook)
        await execute_many(s, ADD, [{"ext": f"m-{i}", "at": AT} for i in range(3)])
        await s.commit()
    async with sessions() as s:
        session_hooks.before_commit(s, hook)
        await s.commit()  # only the hook writes
    async with sessions() as s:
        names = [n for (n,) in await fetch_all(s, NAMES)]
    assert hooked == ["hook-0", "hook-1"]  # the rollback never reached the commit hook
    assert names == ["m-0", "m-1", "m-2", "hook-0", "hook-1"]


def test_statement_that_skips_a_python_default_is_refused() -> None:
    """Raw execution does not apply Python-side defaults, so the statement must set them."""
    with pytest.raises(ValueError, match="created_at"):
        HotStatement(
            insert(P).values(external_id=bindparam("ext"), opted_out=False, updated_at=bindparam("at"))
        )
    with pytest.raises(ValueError, match="updated_at"):
        HotStatement(update(P).values(name=bindparam("n")))


def test_expanding_in_list_is_refused() -> None:
    with pytest.raises(ValueError, match="IN"):
        HotStatement(select(P.c.id).where(P.c.id.in_(bindparam("ids", expanding=True))))


def test_start_up_plans_every_hot_statement_of_the_bot() -> None:
    """After prepare_all, no update pays for compiling a statement (the bot's own included)."""
    import bot.app  # noqa: F401  (imports every repository module, as the bot does)
    from storage import hot_sql
    from storage.fsm_storage import _SELECT
    from storage.repo import responses

    dialect = create_engine("sqlite+aiosqlite:///:memory:").dialect
    statements = list(hot_sql._ALL)
    assert {_SELECT, responses._INSERT, responses._ADD_AREA} <= set(statements)
    hot_sql.prepare_all(dialect)
    assert all(type(dialect) in st._plans for st in statements)

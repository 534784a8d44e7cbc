"""Writes left after an update's last reply: committed together, none lost, a bad one alone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage.group_commit import GroupCommit, Writes
from storage.models import FsmRecord
from storage.repo import inbox


@pytest.fixture
def commits() -> Iterator[list[int]]:
    """How many transactions were committed while the test ran."""
    seen: list[int] = []

    def count(_session: Session) -> None:
        seen.append(1)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


def _row(i: int, data: str | None = None) -> dict[str, object]:
    return {"key": f"bot:{i}:{i}", "state": "Survey:comment", "data": data or f'{{"comment_message_id":{i}}}'}


async def _stored(db: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    async with db() as session:
        rows = (await session.execute(select(FsmRecord.key, FsmRecord.data))).all()
    return {key: data for key, data in rows}


async def test_updates_finishing_together_are_stored_in_one_commit(
    db: async_sessionmaker[AsyncSession], commits: list[int]
) -> None:
    group = GroupCommit(db)
    await asyncio.gather(*(group.write(Writes(fsm_rows=[_row(i)])) for i in range(20)))
    assert await _stored(db) == {f"bot:{i}:{i}": f'{{"comment_message_id":{i}}}' for i in range(20)}
    assert len(commits) == 1


async def test_held_replies_are_cleared_with_the_group(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        await inbox.journal(session, [{"update_id": 1}, {"update_id": 2}])
        for uid in (1, 2):
            await inbox.mark_processed(session, uid, reply='{"method": "sendMessage"}')
        await session.commit()
    group = GroupCommit(db)
    await asyncio.gather(
        group.write(Writes(replies=[inbox.reply_params(1, None)])),
        group.write(Writes(fsm_rows=[_row(7)], replies=[inbox.reply_params(2, None)])),
    )
    async with db() as session:
        assert await inbox.held_replies(session) == []  # a restart sends nothing again
    assert "bot:7:7" in await _stored(db)


async def test_a_bad_write_fails_only_its_own_update(db: async_sessionmaker[AsyncSession]) -> None:
    group = GroupCommit(db)
    bad = dict(_row(5), data=None)  # the data column is NOT NULL
    results = await asyncio.gather(
        *(group.write(Writes(fsm_rows=[bad if i == 5 else _row(i)])) for i in range(10)),
        return_exceptions=True,
    )
    assert [i for i, r in enumerate(results) if isinstance(r, IntegrityError)] == [5]
    assert sorted(await _stored(db)) == sorted(f"bot:{i}:{i}" for i in range(10) if i != 5)


async def test_writes_asked_for_during_a_flush_go_into_the_next(
    db: async_sessionmaker[AsyncSession], commits: list[int]
) -> None:
    group = GroupCommit(db)
    first = asyncio.create_task(group.write(Writes(fsm_rows=[_row(1)])))
    await asyncio.sleep(0)  # the first flush has started with one write
    later = [asyncio.create_task(group.write(Writes(fsm_rows=[_row(i)]))) for i in range(2, 6)]
    await asyncio.gather(first, *later)
    assert len(await _stored(db)) == 5
    assert len(commits) == 2

"""The FSM storage inside an update: bound to its unit of work, written by its commit, in its transaction."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.fsm_storage import SQLAlchemyStorage
from storage.models import FsmRecord
from storage.repo import privacy
from storage.unit_of_work import UnitOfWork

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)
ROW = "fsm:42:42:default"  # DefaultKeyBuilder(with_destiny=True)'s key of KEY (bot id not in it)


async def _stored(db: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None, str]]:
    async with db() as s:
        rows = await s.execute(select(FsmRecord.key, FsmRecord.state, FsmRecord.data))
        return [(k, st, d) for k, st, d in rows.all()]


async def test_changes_in_an_update_are_written_once_when_it_commits(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        uow = UnitOfWork(session)
        storage = SQLAlchemyStorage(db).bind(uow)
        await storage.set_state(KEY, "Survey:comment")
        await storage.update_data(KEY, {"response_id": 7})
        await storage.update_data(KEY, {"round": 0})
        assert uow.has_pending()  # so the commit before the next reply writes them
        assert await _stored(db) == []  # nothing reached the database yet
        assert await storage.get_state(KEY) == "Survey:comment"  # the update sees its own
        await uow.commit()
        assert await _stored(db) == [(ROW, "Survey:comment", '{"response_id":7,"round":0}')]

        # After a commit (the reply went out) a change is pending again.
        await storage.update_data(KEY, {"comment_message_id": 9})
        assert uow.has_pending()
        await uow.commit()
        assert (await storage.get_data(KEY))["comment_message_id"] == 9
    assert (await _stored(db))[0][2] == '{"response_id":7,"round":0,"comment_message_id":9}'


async def test_an_update_sees_only_its_own_uncommitted_state(db: async_sessionmaker[AsyncSession]) -> None:
    storage = SQLAlchemyStorage(db)
    async with db() as one, db() as other:
        mine, theirs = storage.bind(UnitOfWork(one)), storage.bind(UnitOfWork(other))
        await mine.set_state(KEY, "Survey:comment")
        assert await theirs.get_state(KEY) is None
        assert await storage.get_state(KEY) is None  # the unbound storage reads the database


async def test_a_rolled_back_update_writes_no_state(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        uow = UnitOfWork(session)
        storage = SQLAlchemyStorage(db).bind(uow)
        await storage.set_state(KEY, "Survey:score")
        await uow.rollback()  # the handler failed
        assert await storage.get_state(KEY) is None
        await uow.commit()
    assert await _stored(db) == []


async def test_erasure_in_the_same_update_is_not_undone_by_a_pending_change(
    db: async_sessionmaker[AsyncSession],
) -> None:
    storage = SQLAlchemyStorage(db)
    await storage.set_state(KEY, "Survey:drivers")  # unbound, outside an update: written at once
    assert [k for k, _, _ in await _stored(db)] == [ROW]
    async with db() as session:
        uow = UnitOfWork(session)
        await storage.bind(uow).set_state(KEY, "Survey:comment")
        assert await privacy.forget_fsm(session, 42, uow) == 1
        await uow.commit()
    assert await _stored(db) == []

"""The request guard: a Telegram call made while the update holds uncommitted writes still commits
them (no answer lost) but warns, naming the call; an open read or a journal mark does not warn."""

from __future__ import annotations

import logging

from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.requests import UNCOMMITTED_WARNING, CommitBeforeSend, UpdateScope, current_update
from storage.repo import bot_state
from storage.unit_of_work import UnitOfWork

KEY = "guard-test"


async def _reply(uow: UnitOfWork) -> None:
    """What a handler's ``message.answer`` goes through, as the update ``uow`` (DbSessionMiddleware
    sets ``current_update`` for the guard)."""

    async def telegram(_bot: object, _method: object) -> str:
        return "sent"

    token = current_update.set(UpdateScope(uow, None))
    try:
        method = SendMessage(chat_id=1, text="hi")
        assert await CommitBeforeSend()(telegram, None, method) == "sent"  # type: ignore[arg-type]
    finally:
        current_update.reset(token)


async def _stored(db: async_sessionmaker[AsyncSession]) -> str | None:
    async with db() as s:
        return await bot_state.get(s, KEY)


def _warnings(records: list[logging.LogRecord]) -> list[str]:
    return [r.getMessage() for r in records if r.msg == UNCOMMITTED_WARNING]


async def test_a_reply_before_the_commit_of_a_write_is_committed_and_warned_about(
    db: async_sessionmaker[AsyncSession], uncommitted_replies: list[logging.LogRecord]
) -> None:
    async with db() as session:
        uow = UnitOfWork(session)
        await bot_state.put(session, KEY, "v1")
        assert uow.has_writes()
        await _reply(uow)
    assert await _stored(db) == "v1"  # committed before the call all the same
    assert _warnings(uncommitted_replies) == [
        "SendMessage sent before the handler committed its work; call uow.commit() first"
    ]
    uncommitted_replies.clear()  # expected here: the autouse fixture fails on it elsewhere


async def test_an_orm_change_and_an_fsm_change_count_as_writes(db: async_sessionmaker[AsyncSession]) -> None:
    from storage.models import BotState
    from storage.unit_of_work import FsmEntry

    async with db() as session:
        uow = UnitOfWork(session)
        session.add(BotState(key=KEY, value="orm"))
        assert uow.has_writes()  # pending in the session
        await session.flush()
        assert uow.has_writes()  # flushed, not committed
        await uow.commit()
        assert not uow.has_writes()
        uow.fsm["fsm:1:1:default"] = FsmEntry(state=None, data="{}")
        uow.fsm_changed.add("fsm:1:1:default")
        assert uow.has_writes()


async def test_reads_committed_writes_and_a_domain_operations_own_commit_do_not_warn(
    db: async_sessionmaker[AsyncSession], uncommitted_replies: list[logging.LogRecord]
) -> None:
    async with db() as session:
        uow = UnitOfWork(session, update_id=None)
        assert await bot_state.get(session, KEY) is None  # a read-only handler: transaction open
        assert session.in_transaction() and uow.has_pending() and not uow.has_writes()
        await _reply(uow)

        await bot_state.put(session, KEY, "v2")
        await uow.commit()  # the handler's own commit
        await _reply(uow)

        await bot_state.put(session, KEY, "v3")
        await session.commit()  # as a domain operation does (bot/operations.py)
        await bot_state.get(session, KEY)  # then reads again before its Telegram call
        assert not uow.has_writes()
        await _reply(uow)

        await bot_state.put(session, KEY, "v4")
        await uow.rollback()
        assert not uow.has_writes()
    assert await _stored(db) == "v3"
    assert _warnings(uncommitted_replies) == []


async def test_the_journal_mark_alone_is_not_a_write(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        uow = UnitOfWork(session, update_id=123)  # no inbox row: the mark updates nothing
        assert uow.has_pending() and not uow.has_writes()

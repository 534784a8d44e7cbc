"""One database session per update, and the journal mark that says the update was handled.

The first commit the update makes through us (before its first Telegram call, or at the end)
carries the mark, so the update is marked handled in the same transaction as the writes that
precede its first reply: after ``kill -9`` it is either replayed from the journal or those
effects are stored, never neither, and a reply already sent is never sent again by a replay.
Later commits (before the next calls, at the end) do not repeat it: nothing unmarks an update,
so a second mark would change nothing but cost a statement. A handler that fails, even after
its first reply, is parked with its error: what it committed stays, nothing runs twice.
What is left after the last reply and kept only in memory is committed with other updates'
(storage/group_commit.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import held_replies
from storage import fsm_storage, group_commit
from storage.group_commit import GroupCommit
from storage.repo import inbox
from storage.session_context import current_journal_id, current_session

log = logging.getLogger(__name__)


_MARKED = "journal_marked"  # session.info key: a commit of ours carried the mark


async def commit_update(session: AsyncSession) -> None:
    """Commit the update's work; the first commit also carries its journal mark, and a commit
    after the handler declared the reply it owes holds that reply (bot/held_replies.py)."""
    update_id = current_journal_id.get()
    if update_id is not None:
        reply, clear = held_replies.for_commit(session)
        if clear:
            await inbox.release_reply(session, update_id)
        if not session.info.get(_MARKED):
            await inbox.mark_processed(session, update_id, reply=reply)
        elif reply is not None:
            await inbox.hold_reply(session, update_id, reply)
    await session.commit()
    session.info[_MARKED] = True


async def _finish(session: AsyncSession, group: GroupCommit) -> None:
    """The last commit: only when something is open, or the mark was never written. When all
    that is left is kept in memory (the FSM's change after the last reply, the held reply to
    clear), it is handed to the group commit instead of a transaction of its own."""
    marked = bool(session.info.get(_MARKED))
    if not (session.in_transaction() or not marked or held_replies.pending(session)):
        return
    update_id = current_journal_id.get()
    if update_id is None or not marked or not group_commit.ran_nothing(session):
        await commit_update(session)
        return
    writes = group_commit.Writes(fsm_rows=fsm_storage.take_pending(session))
    reply, clear = held_replies.for_commit(session)
    if reply is not None or clear:
        writes.replies.append(inbox.reply_params(update_id, reply))
    if session.in_transaction():
        await session.rollback()  # nothing ran in it: its one change was taken out above
    await group.write(writes)


class DbSessionMiddleware(BaseMiddleware):
    """Outer update middleware: ``session`` in handler data, committed when the handler ends."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self.group = GroupCommit(sessionmaker)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event_: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event_, Update)
        journaled = bool(data.get("journaled"))
        async with self.sessionmaker() as session:
            session_token = current_session.set(session)
            journal_token = current_journal_id.set(event_.update_id if journaled else None)
            data["session"] = session
            try:
                result = await handler(event_, data)
                await _finish(session, self.group)
                return result
            except Exception as exc:
                await session.rollback()
                if journaled:
                    await self._park(event_.update_id, exc)
                raise
            finally:
                current_journal_id.reset(journal_token)
                current_session.reset(session_token)

    async def _park(self, update_id: int, exc: Exception) -> None:
        """A handler bug must not replay forever: keep the update with its error instead."""
        async with self.sessionmaker() as session:
            await inbox.mark_processed(session, update_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            await session.commit()
        log.warning("Update %s parked after error %s", update_id, type(exc).__name__)

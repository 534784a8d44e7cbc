"""Group commit for the writes an update makes after its last reply.

After the survey's next question is out, an update still owes two small writes: the FSM change
made after the send (question 2's message id) and clearing the reply held on its journal row
(bot/held_replies.py). On their own they are a write transaction per answer: under a burst,
SQLite's one write lock taken 30 more times a second, with a ``BEGIN`` and a commit each. Here
the updates finishing at the same moment hand them over, and one transaction writes them all,
each statement as one executemany. Nobody waits for a timer: a flush starts as soon as one is
asked for and none is running; what arrives meanwhile goes into the next. An update finishes
only once its writes are committed, so its partner's next update (never handled before it
ends) reads them, and a process killed before that leaves them as a separate commit would:
not written, the update already marked handled.

One bad row must not take the others down with it: a batch that fails is written again one
item at a time, and only the item that fails again reports the error to its update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from storage import fsm_storage
from storage.repo import inbox

log = logging.getLogger(__name__)

_TOUCHED = "tx_on_connection"  # session.info key: the open transaction reached the database


@event.listens_for(Session, "after_begin")
def _touched(session: Session, _transaction: SessionTransaction, _connection: Connection) -> None:
    """The session's transaction took a connection: something ran, or will, in it."""
    session.info[_TOUCHED] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def ran_nothing(session: AsyncSession) -> bool:
    """The session's open transaction has not reached the database: only changes kept in
    memory (the FSM's) are in it, so its commit can be handed to a :class:`GroupCommit`."""
    return not session.info.get(_TOUCHED)


@dataclass(slots=True)
class Writes:
    """What one update hands over: FSM rows to upsert and journal rows' held replies to set."""

    fsm_rows: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)  # inbox.reply_params(...)

    def __bool__(self) -> bool:
        return bool(self.fsm_rows or self.replies)


class GroupCommit:
    """One flush at a time; see the module docstring."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self._waiting: list[tuple[Writes, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, writes: Writes) -> None:
        """Commit ``writes`` together with whatever else is handed over meanwhile."""
        if not writes:
            return
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((writes, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        await done

    async def _flush_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._flush(batch)
            finally:  # cancelled (the loop is stopping): nobody waits for ever
                for _, done in batch:
                    if not done.done():
                        done.cancel()

    async def _flush(self, batch: list[tuple[Writes, asyncio.Future[None]]]) -> None:
        try:
            await self._commit([writes for writes, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            log.warning("Group commit of %d failed (%s); one at a time", len(batch), type(exc).__name__)
            for writes, done in batch:
                try:
                    await self._commit([writes])
                except Exception as own:
                    _settle(done, own)
                else:
                    _settle(done, None)
            return
        for _, done in batch:
            _settle(done, None)

    async def _commit(self, batch: Sequence[Writes]) -> None:
        fsm_rows = [row for w in batch for row in w.fsm_rows]
        replies = [row for w in batch for row in w.replies]
        async with self.sessionmaker() as session:
            await fsm_storage.write_rows(session, fsm_rows)
            await inbox.set_replies(session, replies)
            await session.commit()


def _settle(done: asyncio.Future[None], exc: BaseException | None) -> None:
    if done.done():  # its update was cancelled (the process is stopping)
        return
    if exc is None:
        done.set_result(None)
    else:
        done.set_exception(exc)

"""One update's unit of work: its session, its journal row, and the one call that commits them.

A handler receives it as ``uow``: it stores through ``uow.session`` (the repositories take the
session), calls ``await uow.commit()``, then replies. Handlers commit explicitly: that call is
the only place an update's work becomes durable, and it carries, in the same transaction:

- the FSM changes the update made (aiogram's FSM storage is bound to the unit of work for the
  update, :mod:`storage.fsm_storage`, so the survey's state goes with the answer it belongs to);
- the journal mark (first commit only): after ``kill -9`` the update is either replayed or its
  effects are stored, never neither, and a reply already sent is never sent again by a replay;
- the reply the update owes, held on its journal row until it is out (bot/held_replies.py).

What commits without that call is a guard, not the protocol: the receiver's middleware commits
what is left when the handler returns (bot/middlewares/db.py), and the request middleware
(bot/middlewares/requests.py) commits before a Telegram call made with work still open, so an
answer is never behind its reply; when that open work holds writes (:meth:`UnitOfWork.has_writes`)
it logs a warning naming the call, and the test suite fails on it (tests/conftest.py). A
read-only handler may reply with its read transaction open: the guard then only writes the
journal mark, silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repo import fsm_rows, inbox
from storage.write_tracking import WriteTrackingSession


@dataclass(slots=True)
class FsmEntry:
    """One FSM key as this update sees it (state name, data as JSON text)."""

    state: str | None
    data: str

    def row(self, key: str) -> dict[str, Any]:
        """The ``fsm_states`` row of this entry."""
        return {"key": key, "state": self.state, "data": self.data}


@dataclass(slots=True)
class OwedReply:
    """The reply an update owes (one at a time), held on its journal row until it is out."""

    method: Any  # the Bot API call (an aiogram TelegramMethod; storage does not import aiogram's)
    text: str | None  # still to be written on the row by the next commit
    sent: bool = False  # out (or refused): the next commit clears the row


@dataclass(eq=False, slots=True)
class UnitOfWork:
    """See the module docstring."""

    session: AsyncSession
    update_id: int | None = None  # the journal row; None when the update was not journaled
    marked: bool = False  # a commit of ours carried the journal mark
    fsm: dict[str, FsmEntry] = field(default_factory=dict)
    fsm_changed: set[str] = field(default_factory=set)
    owed: OwedReply | None = None

    def has_writes(self) -> bool:
        """Whether the update changed something not yet committed (an open read is no change)."""
        session = self.session
        sync = session.sync_session
        return (
            (isinstance(sync, WriteTrackingSession) and sync.wrote)
            or bool(self.fsm_changed)
            or bool(session.new or session.deleted)
            or any(session.is_modified(obj) for obj in session.dirty)
        )

    def has_pending(self) -> bool:
        """Whether :meth:`commit` has anything to write."""
        return (
            self.session.in_transaction()
            or bool(self.fsm_changed)
            or (self.update_id is not None and not self.marked)
            or (self.owed is not None and (self.owed.text is not None or self.owed.sent))
        )

    async def commit(self) -> None:
        """Write the update's FSM changes, journal mark and owed reply with its own writes, and
        commit: what the partner answered is durable once this returns."""
        if self.fsm_changed:
            await fsm_rows.upsert(self.session, [self.fsm[k].row(k) for k in sorted(self.fsm_changed)])
            self.fsm_changed.clear()
        if self.update_id is not None:
            reply, clear = self._reply_for_commit()
            if clear:
                await inbox.release_reply(self.session, self.update_id)
            if not self.marked:
                await inbox.mark_processed(self.session, self.update_id, reply=reply)
            elif reply is not None:
                await inbox.hold_reply(self.session, self.update_id, reply)
        await self.session.commit()
        self.marked = self.marked or self.update_id is not None

    async def rollback(self) -> None:
        """Drop the open transaction and what the update changed or read of its FSM."""
        await self.session.rollback()
        self.fsm.clear()
        self.fsm_changed.clear()

    def forget_fsm(self, is_gone: Callable[[str], bool]) -> None:
        """FSM keys that ``is_gone`` are being deleted in this transaction (erasure): a change not
        written yet must not write them back, and what was read of them no longer holds."""
        for key in [k for k in self.fsm if is_gone(k)]:
            self.fsm_changed.discard(key)
            del self.fsm[key]

    def _reply_for_commit(self) -> tuple[str | None, bool]:
        """What this commit does to the row: (the reply to write, whether to clear it), once each."""
        owed = self.owed
        if owed is None:
            return None, False
        if owed.sent:
            self.owed = None
            return None, owed.text is None  # written by an earlier commit: clear it
        text, owed.text = owed.text, None
        return text, False

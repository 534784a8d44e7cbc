"""One database session per update, and the journal mark that says the update was handled.

The mark is written by the first commit of the update's session, so an answer and the fact that
its update was handled are committed together: after ``kill -9`` an update is either replayed
from the journal or its effects are already stored, never neither.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage import session_hooks
from storage.repo import inbox
from storage.session_context import current_session

log = logging.getLogger(__name__)


class _JournalMark:
    """Adds "processed" to the first commit of the session, once."""

    def __init__(self, update_id: int) -> None:
        self.update_id = update_id
        self.done = False

    def __call__(self, sync_session: Session) -> None:
        if self.done:
            return
        self.done = True
        inbox.mark_processed_sync(sync_session, self.update_id)


class DbSessionMiddleware(BaseMiddleware):
    """Outer update middleware: ``session`` in handler data, committed when the handler ends."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event_: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event_, Update)
        journaled = bool(data.get("journaled"))
        session = self.sessionmaker()
        try:
            mark = _JournalMark(event_.update_id)
            if journaled:
                session_hooks.before_commit(session, mark)
            token = current_session.set(session)
            data["session"] = session
            try:
                result = await handler(event_, data)
                # The journal mark rides on the first commit; after that, only open work needs one
                # (most handlers end with a reply, and the reply's commit already wrote everything).
                pending = session.in_transaction() or session.new or session.dirty or session.deleted
                if pending or (journaled and not mark.done):
                    await session.commit()
                return result
            except Exception as exc:
                await session.rollback()
                if journaled and not mark.done:
                    await self._park(event_.update_id, exc)
                raise
            finally:
                current_session.reset(token)
        finally:
            await _close(session)

    async def _park(self, update_id: int, exc: Exception) -> None:
        """A handler bug must not replay forever: keep the update with its error instead."""
        async with self.sessionmaker() as session:
            await inbox.mark_processed(session, update_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            await session.commit()
        log.warning("Update %s parked after error %s", update_id, type(exc).__name__)


async def _close(session: AsyncSession) -> None:
    """Close the update's session. With no transaction open there is nothing to give back, and
    the synchronous close does it: the async one costs a task and a greenlet switch per update."""
    if session.in_transaction():
        await session.close()
    else:
        session.sync_session.close()

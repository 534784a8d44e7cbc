"""One unit of work per update (storage/unit_of_work.py), and what happens when its handler fails.

The handler gets ``uow`` (and its ``session``) in its data. It commits through ``uow.commit()``
before it replies (a reply before the commit of its writes is warned about by the request guard,
bot/middlewares/requests.py); whatever is still open when it returns (its reads, writes after its
last reply, or a journal mark never written) is committed here. A handler that fails, even
after its first reply, is parked with its error: what it committed stays, nothing runs twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.requests import UpdateScope, current_update
from storage.repo import inbox
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class DbSessionMiddleware(BaseMiddleware):
    """Outer update middleware: ``uow`` and ``session`` in handler data, committed at the end."""

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
        async with self.sessionmaker() as session:
            uow = UnitOfWork(session, event_.update_id if journaled else None)
            # For the request middleware only (its comment says why); the permit is the polling
            # receiver's share of its concurrency for this update (bot/polling.py), else None.
            token = current_update.set(UpdateScope(uow, data.get("permit")))
            data["uow"] = uow
            data["session"] = session
            try:
                result = await handler(event_, data)
                if uow.has_pending():
                    await uow.commit()
                return result
            except Exception as exc:
                await uow.rollback()
                if journaled:
                    await self._park(event_.update_id, exc)
                raise
            finally:
                current_update.reset(token)

    async def _park(self, update_id: int, exc: Exception) -> None:
        """A handler bug must not replay forever: keep the update with its error instead."""
        async with self.sessionmaker() as session:
            await inbox.mark_processed(session, update_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            await session.commit()
        log.warning("Update %s parked after error %s", update_id, type(exc).__name__)

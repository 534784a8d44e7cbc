"""One partner's updates one at a time, in update_id order, across webhook replicas.

With webhooks, Telegram may hand a partner's next update to another replica while the first is
still being handled. Before handling, a replica takes the partner's turn (a ``turn:<id>`` lease
in the database, storage.repo.leases) and checks the journal for an earlier unhandled update of
the same partner held by another live replica; if there is one, it gives the turn back and waits
for it (the journal says when it is handled). Within one process the receiver already orders a
partner's updates; an earlier update queued in this very process does not make it wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import utcnow
from storage.repo import inbox_claims, leases

log = logging.getLogger(__name__)

TURN_TTL = timedelta(seconds=30)  # a replica dying mid-update frees the partner after this (renewed
# while the update runs, so a reply waiting its turn in the send budget keeps the partner's turn)
WAIT_LIMIT = 60.0  # seconds; then the update runs anyway (the earlier one's replica is stuck)
POLL = 0.05


def key_of(update: Update) -> int:
    """The partner (sender) of an update, else its chat; 0 when it has neither."""
    event: Any = update.event
    user = getattr(event, "from_user", None)
    if user is not None:
        return int(user.id)
    chat = getattr(event, "chat", None) or getattr(getattr(event, "message", None), "chat", None)
    return int(chat.id) if chat is not None else 0


class PartnerTurns(BaseMiddleware):
    """Outer update middleware (outside the update's session); see module docstring."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], owner: str, *, ttl: timedelta = TURN_TTL
    ) -> None:
        self.sessionmaker = sessionmaker
        self.owner = owner
        self.ttl = ttl

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event_: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event_, Update)
        key = key_of(event_)
        if not key or not data.get("journaled"):
            return await handler(event_, data)
        name = f"turn:{key}"
        await self._take_turn(name, key, event_.update_id)
        # A reply may wait long in the bot's send budget (a burst of answers): keep the turn.
        handled = asyncio.Event()
        keeper = asyncio.create_task(self._keep_turn(name, handled), name=f"keep-{name}")
        try:
            return await handler(event_, data)
        finally:
            # Ended, not cancelled: a cancel inside a renewal's SQLite write could leave its lock
            # on a connection nobody closes (scheduler/runner.py, finish).
            handled.set()
            await keeper
            async with self.sessionmaker() as session:
                await leases.release(session, name, self.owner)

    async def _keep_turn(self, name: str, handled: asyncio.Event) -> None:
        """Renew the turn every third of its TTL until the update is ``handled``."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(handled.wait(), self.ttl.total_seconds() / 3)
            if handled.is_set():
                return
            try:
                async with self.sessionmaker() as session:
                    await leases.acquire(session, name, self.owner, self.ttl, utcnow())
            except Exception:  # the database is away a moment: try again at the next renewal
                log.warning("Could not renew %s", name, exc_info=True)

    async def _take_turn(self, name: str, key: int, update_id: int) -> None:
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            async with self.sessionmaker() as session:
                # One transaction: taken only if this update is next, else left as it was.
                if await leases.take(session, name, self.owner, self.ttl, utcnow()):
                    earlier = await inbox_claims.earlier_unhandled(session, key, update_id)
                    if earlier is None or earlier[1] in (self.owner, None) or earlier[2] < utcnow():
                        await session.commit()
                        return  # next in line, or the earlier one is ours / nobody's (swept later)
                await session.rollback()
            if time.monotonic() > deadline:
                log.warning("Update %s waited %.0f s for its turn; handled now", update_id, WAIT_LIMIT)
                return
            await asyncio.sleep(POLL)

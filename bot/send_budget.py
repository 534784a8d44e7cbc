"""One send budget per bot: Telegram's ~30 messages/s belong to the token, not to a process.

Every message the bot creates (``sendMessage``, ``sendDocument``, ``copyMessage``, …) takes a
slot first, in bot/middlewares/requests.py; slots are ``1 / TELEGRAM_RATE`` seconds apart. The
line of slots lives where every sender sees it: in memory for ``nps-bot run`` (one process sends
everything), in the database (``send_budget`` row, storage/repo/send_budget.py) for ``web``
replicas and the ``worker``.

Priority: replies take the next free slot, however far the line reaches. Bulk sending (the
outbox engine's own Bot, whose request middleware is made with ``bulk=True``) takes a slot only
when the line is free, so under a burst of partners answering, invitations wait until every
reply is out; otherwise bulk runs at SEND_RATE and replies squeeze in between (a reply waits
at most one bulk slot). Bulk never uses the catch-up slack, and its own pace (SEND_RATE, one
sender per install: the worker) is kept here too, so every message's pacing is in this one
place; the engine only spaces messages to the same chat (bot/sending/chat_spacer.py).

A line that fell idle may catch up ``slack`` seconds of unused slots (a short burst, far under
the one second of messages Telegram's bucket holds, so late sends on a busy machine never add up
to a 429). A 429 pauses the whole line for its
``retry_after``, in every process. Paid broadcasts (``allow_paid_broadcast``) have a bucket of
their own at Telegram and take no slot of the line, only the bulk pace; a 429 on one holds bulk.

While a handler waits for its slot, and during every call to Telegram, it gives back its
handling permit (:class:`HandlingPermit`, taken by bot/polling.py for each update and given back
by bot/middlewares/requests.py): a backlog of replies must not keep new answers from being
stored.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repo import send_budget as repo

Clock = Callable[[], float]
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

BULK_POLL_MAX = 1.0  # seconds a bulk sender waits before looking at a busy line again
BUDGET_NAME = "bot"


class BudgetStore(Protocol):
    """Where the line of slots lives (see module docstring)."""

    async def reserve(self, *, floor: float, interval: float, horizon: float | None) -> float | None:
        """The start of the next slot (None: bulk refused, the line is busy)."""

    async def busy_until(self) -> float:
        """When the line or a pause ends."""

    async def pause_until(self, until: float) -> None:
        """Hold every slot until ``until``."""


class MemoryStore:
    """The line in this process (``nps-bot run``: every sender is here)."""

    def __init__(self) -> None:
        self.next_at = 0.0
        self.paused_until = 0.0

    async def reserve(self, *, floor: float, interval: float, horizon: float | None) -> float | None:
        """See :class:`BudgetStore`."""
        if horizon is not None and (self.next_at > horizon or self.paused_until > floor):
            return None
        start = max(self.next_at, floor, self.paused_until)
        self.next_at = start + interval
        return start

    async def busy_until(self) -> float:
        """See :class:`BudgetStore`."""
        return max(self.next_at, self.paused_until)

    async def pause_until(self, until: float) -> None:
        """See :class:`BudgetStore`."""
        self.paused_until = max(self.paused_until, until)


class DatabaseStore:
    """The line in the ``send_budget`` row, shared by every process on the database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], name: str = BUDGET_NAME) -> None:
        self.sessionmaker = sessionmaker
        self.name = name
        self._ready = False

    async def _ensure(self) -> None:
        if not self._ready:
            async with self.sessionmaker() as session:
                await repo.ensure(session, self.name)
            self._ready = True

    async def reserve(self, *, floor: float, interval: float, horizon: float | None) -> float | None:
        """See :class:`BudgetStore`."""
        await self._ensure()
        async with self.sessionmaker() as session:
            return await repo.reserve(session, self.name, floor=floor, interval=interval, horizon=horizon)

    async def busy_until(self) -> float:
        """See :class:`BudgetStore`."""
        async with self.sessionmaker() as session:
            return await repo.busy_until(session, self.name)

    async def pause_until(self, until: float) -> None:
        """See :class:`BudgetStore`."""
        await self._ensure()
        async with self.sessionmaker() as session:
            await repo.pause_until(session, self.name, until)


class SendBudget:
    """Slots for messages at ``rate`` per second, replies before bulk; see module docstring."""

    def __init__(
        self,
        rate: float,
        store: BudgetStore,
        *,
        bulk_rate: float | None = None,
        slack: float = 0.2,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or (bulk_rate is not None and bulk_rate <= 0):
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self.bulk_interval = 1.0 / bulk_rate if bulk_rate is not None else self.interval
        self.slack = slack
        self.store = store
        self.clock = clock
        self.sleep = sleep
        self._bulk_turn = asyncio.Lock()  # one bulk sender of this process looks at a busy line
        self._bulk_next = 0.0  # this process's next bulk slot at SEND_RATE (or a paid 429's end)

    async def reply_delay(self) -> float:
        """Take the next slot for a reply; seconds until it starts."""
        now = self.clock()
        start = await self.store.reserve(floor=now - self.slack, interval=self.interval, horizon=None)
        assert start is not None
        return max(0.0, start - now)

    async def bulk_delay(self, *, shared: bool = True) -> float:
        """Wait for the bulk pace, then (``shared``: a message of the token's 30/s) for a free
        line and take a slot; seconds until it starts. A paid broadcast is not ``shared``."""
        async with self._bulk_turn:
            wait = self._bulk_next - self.clock()
            if wait > 0:
                await self.sleep(wait)
            while True:
                now = self.clock()
                if not shared:
                    start: float | None = now
                else:
                    start = await self.store.reserve(floor=now, interval=self.interval, horizon=now)
                if start is not None:
                    self._bulk_next = start + self.bulk_interval
                    return max(0.0, start - now)
                busy = await self.store.busy_until()
                await self.sleep(min(BULK_POLL_MAX, max(busy - now, self.interval / 10)))

    async def pause(self, seconds: float, *, shared: bool = True) -> None:
        """Hold every slot for ``seconds`` from now (a 429), in every process; a 429 on a paid
        broadcast (not ``shared``) holds only this process's bulk sending."""
        until = self.clock() + max(seconds, 0.0)
        if shared:
            await self.store.pause_until(until)
        else:
            self._bulk_next = max(self._bulk_next, until)


class HandlingPermit:
    """A handler's share of the receiver's concurrency, given back while it waits for a slot."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.held = False
        self.owner: asyncio.Task[object] | None = None

    async def __aenter__(self) -> HandlingPermit:
        await self.semaphore.acquire()
        self.held = True
        self.owner = asyncio.current_task()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.held:
            self.held = False
            self.semaphore.release()

    async def idle(self, wait: Awaitable[T]) -> T:
        """Await ``wait`` without holding the permit; hold it again afterwards.

        Only the handler's own task gives it back: a task it started inherits the context (and
        this permit) but must not release what it does not hold."""
        if asyncio.current_task() is not self.owner:
            return await wait
        if self.held:
            self.held = False
            self.semaphore.release()
        try:
            return await wait
        finally:
            await self.semaphore.acquire()  # cancelled here: not held, so not released twice
            self.held = True

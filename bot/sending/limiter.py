"""One process-wide pace for bulk messages, plus one-message-per-second spacing per chat.

Telegram's flood limits are token buckets on *its* side; the surest way never to hit them is to
send *smoother* than they allow: slots are handed out exactly ``1 / rate`` seconds apart. A
sender that fell behind (event-loop jitter) may catch up at most ``slack`` seconds of unused
slots — two slots, or 20 ms at high rates — so a burst is never more than a few messages, far
under the one second of burst Telegram's bucket holds. A 429 pauses every slot until its
``retry_after`` has passed — for all bulk sending, not just the chat that got it, because the
global bucket is what is empty.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

Clock = Callable[[], float]


class GlobalPacer:
    """Evenly spaced send slots at ``rate`` per second, pausable by a 429."""

    def __init__(self, rate: float, *, slack: float | None = None, clock: Clock = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        # Default: two slots, but at least 20 ms so event-loop jitter at high rates is absorbed.
        self.slack = slack if slack is not None else max(2 * self.interval, 0.02)
        self.clock = clock
        self._next = 0.0
        self._paused_until = 0.0

    @property
    def paused_until(self) -> float:
        """Monotonic time the current 429 pause ends (in the past when not paused)."""
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Hold every slot for ``seconds`` from now (a 429's retry_after)."""
        self._paused_until = max(self._paused_until, self.clock() + max(seconds, 0.0))

    def _reserve(self) -> float:
        now = self.clock()
        slot = max(self._next, now - self.slack, self._paused_until)
        self._next = slot + self.interval
        return slot

    async def acquire(self) -> None:
        """Wait for the next free slot; re-queue if a 429 arrived while waiting."""
        while True:
            slot = self._reserve()
            delay = slot - self.clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.clock() >= self._paused_until:
                return


class ChatSpacer:
    """At most one message per ``interval`` seconds to the same chat."""

    def __init__(self, interval: float = 1.0, *, clock: Clock = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._next: dict[int, float] = {}

    async def acquire(self, chat_id: int) -> None:
        """Wait until ``chat_id`` may receive another message, then take its turn."""
        now = self.clock()
        slot = max(now, self._next.get(chat_id, 0.0))
        self._next[chat_id] = slot + self.interval
        if len(self._next) > 10_000:
            self._prune(now)
        if slot > now:
            await asyncio.sleep(slot - now)

    def _prune(self, now: float) -> None:
        """Forget chats whose turn is in the past (they are free anyway)."""
        self._next = {k: v for k, v in self._next.items() if v > now}


class RateLimiter:
    """Per-chat spacing first (waiting on one chat must not hold a global slot), then the pace."""

    def __init__(self, rate: float, *, per_chat_interval: float = 1.0, slack: float | None = None) -> None:
        self.pacer = GlobalPacer(rate, slack=slack)
        self.chats = ChatSpacer(per_chat_interval)

    @property
    def rate(self) -> float:
        """Messages per second."""
        return self.pacer.rate

    def pause(self, seconds: float) -> None:
        """Pause all bulk sending (a 429)."""
        self.pacer.pause(seconds)

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to ``chat_id`` may go out."""
        await self.chats.acquire(chat_id)
        await self.pacer.acquire()

"""One message per second to the same chat, for bulk sending.

Telegram allows a chat about one message a second; a partner who gets an invitation and an
announcement queued together must not get them in the same second. The token's 30/s and the
bulk pace (SEND_RATE) are the send budget's (bot/send_budget.py): a chat's turn is waited for
first, so a message waiting on its chat never holds a slot of the line.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

Clock = Callable[[], float]


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

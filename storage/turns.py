"""Taking turns on the event loop: first come, first served, with a line that goes first.

SQLite's write gate (storage/write_gate.py) is one turn at a time; the bot's handling permits
(bot/send_budget.py) are several.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Turns:
    """``slots`` holders at a time; waiters served in order of asking, ``first`` ones before the
    rest, each freed slot handed to the next waiter at once. Also the bot's handling permits
    (bot/send_budget.py): a handler back from a Telegram call goes before a new update."""

    def __init__(self, slots: int = 1, timeout: float | None = None) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.timeout = timeout
        self._free = slots
        self._first: deque[asyncio.Future[None]] = deque()
        self._rest: deque[asyncio.Future[None]] = deque()

    @property
    def held(self) -> bool:
        """Whether every slot is taken."""
        return self._free == 0

    def locked(self) -> bool:
        """Whether every slot is taken (``asyncio.Semaphore``'s name for it)."""
        return self._free == 0

    async def acquire(self, *, first: bool = False) -> bool:
        """Wait for a slot; False if none came within ``timeout`` (nothing held then)."""
        if self._free > 0:
            self._free -= 1
            return True
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._first if first else self._rest).append(turn)
        try:
            await asyncio.wait_for(turn, self.timeout)
        except TimeoutError:
            return turn.done() and not turn.cancelled()  # given at the last moment: ours
        except BaseException:
            if turn.done() and not turn.cancelled():
                self.release()  # given a slot just as we were cancelled: pass it on
            raise
        return True

    def release(self) -> None:
        """Free a slot: the next waiter has it at once."""
        for line in (self._first, self._rest):
            while line:
                turn = line.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._free += 1

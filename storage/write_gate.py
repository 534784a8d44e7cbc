"""One SQLite writer at a time in this process, taking turns in order, the journal first.

SQLite has one write lock per file. Without this, every connection of the pool that wants it
waits in SQLite's busy handler, which polls with sleeps of up to 100 ms: the lock sits free
while the waiters sleep, and whoever wakes first wins, not whoever asked first. Under a burst of
taps the journal's write (which the polling loop waits on before it may ask Telegram for more)
lost that race for seconds, and every tap behind it waited too (docs/benchmarks.md).

Here a connection about to ``BEGIN IMMEDIATE`` first takes its turn from the gate, on the event
loop: the turn passes to the next writer the moment a transaction ends, and a statement run
with ``execution_options(write_first=True)`` (the journal) goes before the handlers' writes.
Other processes (``nps-bot import-partners``) still meet SQLite's busy handler, as before.

A turn not given within ``timeout`` is taken over: the writer goes on to ``BEGIN IMMEDIATE``
and SQLite's own ``busy_timeout`` (which fails as it always did, so a writer that waits on a
second write of its own task errs instead of hanging), and the turn is now its own. A turn lost
with its holder (a connection dropped without any event of ours) would otherwise keep the gate
held for good, and every later write would wait out the whole timeout (measured: 30.0 s per
write after a dropped writer). The gate only orders writers; SQLite's lock keeps them apart,
so a holder that was merely slow and gives its turn back late costs order, never data.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

log = logging.getLogger(__name__)

WRITE_FIRST = "write_first"  # execution option: this transaction goes before the others


class WriteGate:
    """Turns to write, first come first served, ``write_first`` ones before the rest."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._held = False
        self._first: deque[asyncio.Future[None]] = deque()
        self._rest: deque[asyncio.Future[None]] = deque()

    @property
    def held(self) -> bool:
        """Whether a writer has the turn."""
        return self._held

    async def acquire(self, *, first: bool = False) -> None:
        """Wait for the turn; take it over if it did not come within ``timeout``."""
        if not self._held:
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._first if first else self._rest).append(turn)
        try:
            await asyncio.wait_for(turn, self.timeout)
        except TimeoutError:
            if not (turn.done() and not turn.cancelled()):  # else given at the last moment
                log.warning("SQLite write turn not given back within %.0f s; taken over", self.timeout)
        except BaseException:
            if turn.done() and not turn.cancelled():
                self.release()  # given the turn just as we were cancelled: pass it on
            raise

    def release(self) -> None:
        """End the current turn: the next waiter has it at once."""
        for line in (self._first, self._rest):
            while line:
                turn = line.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._held = False

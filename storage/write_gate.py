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

A turn not given within ``timeout`` is not waited for any longer: the writer goes on to
``BEGIN IMMEDIATE`` and SQLite's own ``busy_timeout``, which fails as it always did, so a
writer that waits on a second write of its own task errs instead of hanging.
"""

from __future__ import annotations

from storage.turns import Turns

WRITE_FIRST = "write_first"  # execution option: this transaction goes before the others


def write_gate(timeout: float) -> Turns:
    """The write gate of one engine: one writer at a time (module docstring)."""
    return Turns(1, timeout)

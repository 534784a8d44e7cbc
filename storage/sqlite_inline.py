"""SQLite statements on the event loop's own thread, and one writer at a time per process.

Why: aiosqlite hands every call to its worker thread and back. Measured on our machines, one
such trip costs about 0.4 ms of CPU (queue, thread wake-up, GIL hand-over, loop wake-up), and
SQLAlchemy makes four of them per statement (cursor, execute, fetch, close). A hot-path statement
on a local SQLite file takes 20-50 µs, so the trips were most of the bot's work per update
(``python -m tests.benchmarks.ingest``). An ``InlineConnection`` is a real aiosqlite connection
(opened and closed by its thread) whose statements run in the calling thread instead.

Running inline, a statement must never sit waiting for SQLite's write lock, or the whole loop
waits with it. So:
- writers of this process queue on an asyncio lock (one per database file and event loop)
  before ``BEGIN IMMEDIATE``; they wait without blocking the loop, in arrival order;
- against other processes (``nps-bot import-partners``, a second bot by mistake) ``BEGIN
  IMMEDIATE`` gives up after ``INLINE_BUSY_MS`` and is retried after an asynchronous pause.
Long read-only work (digests, exports) uses a threaded engine, so it cannot stall partners.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

# How long an inline BEGIN IMMEDIATE may block the loop before retrying asynchronously.
INLINE_BUSY_MS = 20
RETRY_PAUSE_S = 0.02


class InlineConnection(aiosqlite.Connection):
    """aiosqlite connection that runs statements in the caller's thread (see module docstring)."""

    def __init__(self, database: str, iter_chunk_size: int = 64) -> None:
        # check_same_thread: the connection is opened in aiosqlite's thread and used in ours.
        super().__init__(partial(sqlite3.connect, database, check_same_thread=False), iter_chunk_size)
        self.database = database

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection itself (raises if closed)."""
        return self._conn

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def inline_connector(database: str) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """``async_creator`` for ``create_async_engine``: inline connections to ``database``."""

    async def connect() -> aiosqlite.Connection:
        conn = InlineConnection(database)
        # As SQLAlchemy does for aiosqlite: a leaked connection must not keep the process alive.
        conn._thread.daemon = True
        return await conn

    return connect


def inline_of(dbapi_connection: Any) -> InlineConnection | None:
    """The :class:`InlineConnection` behind SQLAlchemy's adapted connection, if it is one."""
    inner = getattr(dbapi_connection, "_connection", None)
    return inner if isinstance(inner, InlineConnection) else None


# One writer lock per (event loop, database file). Keyed by id(loop): uvloop loops are not
# weak-referenceable; closed loops are dropped whenever a new one appears.
_GATES: dict[int, tuple[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]]] = {}


def write_gate(database: str) -> asyncio.Lock:
    """This process's writer queue for ``database`` in the running event loop."""
    loop = asyncio.get_running_loop()
    entry = _GATES.get(id(loop))
    if entry is None or entry[0] is not loop:
        for key, (old, _locks) in list(_GATES.items()):
            if old.is_closed():
                del _GATES[key]
        entry = _GATES[id(loop)] = (loop, {})
    return entry[1].setdefault(database, asyncio.Lock())


_HELD = "partner_pulse_write_gate"


async def queue_for_gate(info: dict[str, Any], database: str, timeout_s: float) -> None:
    """Queue for this process's write lock; ``info`` (SQLAlchemy's connection info) records it,
    so the commit and rollback hooks of ``storage.db`` can release it.

    A writer that waits ``timeout_s`` fails as SQLite itself would ("database is locked"),
    instead of hanging: e.g. code that writes on a second session while its first holds the lock.
    """
    if info.get(_HELD) is not None:
        return
    gate = write_gate(database)
    if gate.locked():
        try:
            await asyncio.wait_for(gate.acquire(), timeout_s)
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked (this process's writer queue)") from None
    else:
        await gate.acquire()  # free: taken at once, no task for a timeout
    info[_HELD] = gate


def acquire_gate(info: dict[str, Any], database: str, timeout_s: float) -> None:
    """:func:`queue_for_gate` from SQLAlchemy's sync layer, inside its greenlet."""
    if info.get(_HELD) is None and in_greenlet():
        await_only(queue_for_gate(info, database, timeout_s))


async def begin_write(info: dict[str, Any], conn: InlineConnection, timeout_s: float) -> None:
    """Start a write transaction from async code: queue for the gate, then ``BEGIN IMMEDIATE``."""
    await queue_for_gate(info, conn.database, timeout_s)
    try:
        await _begin_immediate(conn.sqlite.execute, timeout_s)
    except BaseException:
        release_gate(info)
        raise


def release_gate(info: dict[str, Any]) -> None:
    """Let the next writer of this process in (transaction ended or connection returned)."""
    gate = info.pop(_HELD, None)
    if gate is not None and gate.locked():
        gate.release()


def begin_immediate(cursor: Any, inline: InlineConnection | None, timeout_s: float) -> None:
    """``BEGIN IMMEDIATE`` from SQLAlchemy's sync layer; inline, a busy database is retried
    without blocking the loop."""
    if inline is None or not in_greenlet():
        cursor.execute("BEGIN IMMEDIATE")
        return
    await_only(_begin_immediate(inline.sqlite.execute, timeout_s))


async def _begin_immediate(execute: Callable[[str], object], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() >= deadline:
                raise
        await asyncio.sleep(RETRY_PAUSE_S)

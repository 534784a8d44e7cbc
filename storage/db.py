"""Engine and session factory: one code path for SQLite and PostgreSQL.

SQLite (the embedded default) gets its settings through SQLAlchemy's documented events
(the driver-level autocommit recipe of SQLAlchemy's SQLite dialect):
- WAL mode: readers never block the writer or each other; ``synchronous=NORMAL`` is durable
  across a process crash (``kill -9``), which is what WAL needs.
- ``secure_delete``: erased personal data is overwritten, not left in free pages.
- Reads run outside transactions (the driver autocommits), so a session that only reads never
  holds a lock, however long it stays open.
- The first write of a transaction is preceded by ``BEGIN IMMEDIATE``: the writer takes the
  write lock up front instead of failing half-way with "database is locked" when its read
  snapshot could not be upgraded. Waiting for the lock (another writer of this process, or
  another process such as ``nps-bot import-partners``) happens in aiosqlite's thread, within
  ``busy_timeout``, never on the event loop. Handlers commit before every Telegram call, so a
  write lock is held for milliseconds.

PostgreSQL: READ COMMITTED, and a pool that keeps its connections. A connection that sat idle
for a while is pinged when checked out (a restarted server or a proxy's idle timeout dropped
it), so the bot never meets a dead one; a connection in steady use is not: SQLAlchemy's
``pool_pre_ping`` would cost three round trips (BEGIN, a ping, ROLLBACK) on every checkout,
and an update checks out several.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, QueuePool

from storage.write_gate import WRITE_FIRST, WriteGate
from storage.write_tracking import track_writes

BUSY_TIMEOUT_MS = 30_000
PING_IDLE = 10.0  # seconds: a PostgreSQL connection idle longer is pinged before use
# PostgreSQL connections per process, and no overflow: one engine (the reports share it). A
# burst of taps on a small machine is served faster by a few busy connections than by many: the
# handlers then queue in the pool, in order, instead of in the server's scheduler, and every
# connection's prepared statements are warm sooner (docs/benchmarks.md, "pool of 4"). DB_POOL_SIZE
# raises it on a server with more cores.
PG_POOL_SIZE = 4
PG_MAX_OVERFLOW = 0


def is_sqlite(url: str) -> bool:
    """True for sqlite URLs."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a file-based SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
# Connection info key, present while we are in a write transaction we began with BEGIN IMMEDIATE
# and hold this process's write turn (storage/write_gate.py).
_IN_WRITE = "sqlite_write_transaction"


def _install_sqlite_settings(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine
    gate = WriteGate(BUSY_TIMEOUT_MS / 1000)

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver: we open write transactions ourselves (below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _before_execute(
        conn: Any, cursor: Any, statement: str, _params: Any, context: Any, _executemany: bool
    ) -> None:
        if not _WRITE.match(statement) or _IN_WRITE in conn.info:
            return
        first = bool(context is not None and context.execution_options.get(WRITE_FIRST))
        # Awaiting on the loop from this synchronous hook: SQLAlchemy's documented run_async.
        conn.connection.dbapi_connection.run_async(lambda _raw: gate.acquire(first=first))
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            gate.release()
            raise
        conn.info[_IN_WRITE] = True

    def _end(info: dict[Any, Any]) -> None:
        if info.pop(_IN_WRITE, False):
            gate.release()

    @event.listens_for(sync_engine, "commit")
    @event.listens_for(sync_engine, "rollback")
    def _on_end(conn: Any) -> None:
        if conn.invalidated:  # its info is out of reach; the pool's invalidate event releases it
            return
        _end(conn.info)

    @event.listens_for(sync_engine, "invalidate")
    def _on_invalidate(_dbapi_conn: Any, record: Any, _exc: BaseException | None) -> None:
        # A statement interrupted (a task cancelled at shutdown) invalidates its connection: the
        # transaction is gone with it, so is the turn, or every later write waits the gate's 30 s.
        _end(record.info)

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        # The pool rolled back whatever was left open; nothing of ours is open any more.
        _end(record.info)

    @event.listens_for(sync_engine, "detach")
    def _on_detach(_dbapi_conn: Any, record: Any) -> None:
        # A connection dropped unreturned (garbage-collected: SQLAlchemy terminates it, which ends
        # its transaction) leaves the pool this way, with no rollback, invalidate or checkin.
        _end(record.info)


_IDLE_SINCE = "idle_since"  # connection record info key: when the pool last got it back


def _install_idle_ping(engine: AsyncEngine, idle: float) -> None:
    """Ping a connection that was idle longer than ``idle`` seconds when it is checked out."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since <= idle:
            return  # new, or in steady use
        try:
            alive = sync_engine.dialect.do_ping(dbapi_conn)
        except Exception as error:
            # SQLAlchemy's documented answer: the pool drops it and connects anew (up to 3 times).
            raise exc.DisconnectionError(f"connection idle {idle:.0f}+ s is gone") from error
        if not alive:
            raise exc.DisconnectionError("connection idle too long is gone")


def create_engine(
    url: str,
    *,
    echo: bool = False,
    reports: bool = False,
    inline: bool = True,
    pg_pool_size: int = PG_POOL_SIZE,
    ping_idle: float = PING_IDLE,
) -> AsyncEngine:
    """The async engine for ``url``.

    ``reports=True`` (or the older spelling ``inline=False``) makes an engine for long
    read-only work (digests, exports), with connections of its own beside the bot's.
    ``pg_pool_size`` is PostgreSQL's pool (``DB_POOL_SIZE``); SQLite's is fixed here.
    """
    reports = reports or not inline
    if not is_sqlite(url):
        engine = create_async_engine(url, echo=echo, pool_size=pg_pool_size, max_overflow=PG_MAX_OVERFLOW)
        _install_idle_ping(engine, ping_idle)
        return engine
    ensure_sqlite_folder(url)
    engine = create_async_engine(
        url,
        echo=echo,
        poolclass=AsyncAdaptedQueuePool,
        # Few connections: each is an aiosqlite thread, and writers queue on SQLite's lock anyway.
        pool_size=2 if reports else 3,
        max_overflow=3,
        pool_timeout=120,
    )
    _install_sqlite_settings(engine)
    return engine


async def autocommit(session: AsyncSession) -> None:
    """Make each of the session's statements its own transaction, committed as it runs.

    For a row every process updates in turn (the send budget): in a transaction its lock would
    be held until the client's COMMIT comes back, and on busy replicas that wait is what the
    others queue on. PostgreSQL: the session's connection in AUTOCOMMIT (SQLAlchemy restores
    the isolation when the pool gets it back). SQLite: unchanged; its writers queue on the file's
    lock, and the embedded default is one process."""
    if session.get_bind().dialect.name != "sqlite":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def without_parallel_workers(session: AsyncSession) -> None:
    """PostgreSQL: plan the rest of this transaction's queries without parallel workers.

    For a report that already runs its parts on several connections at once (the digest): each
    big aggregate would also start PostgreSQL's own workers (two by default), and the processes
    then crowd the cores. On the 2-core benchmark machine the digest took 0.28-0.32 s this way
    against 0.42-0.45 s (docs/benchmarks.md). ``SET LOCAL`` ends with the transaction and passes
    through a transaction-pooling proxy. SQLite: nothing to do."""
    if session.get_bind().dialect.name != "sqlite":
        await session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


async def open_pool(engine: AsyncEngine) -> None:
    """Open the pool's connections now (PostgreSQL), not while the first burst of updates waits:
    a new connection costs a server process and a round trip per first use of each type."""
    if engine.dialect.name == "sqlite":
        return

    async def hold(ready: asyncio.Barrier) -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            await ready.wait()  # all at once: one returned early would be taken again

    size = engine.pool.size() if isinstance(engine.pool, QueuePool) else 1
    ready = asyncio.Barrier(size)
    await asyncio.gather(*(hold(ready) for _ in range(size)))


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit (handlers commit before sending), and
    each session tells whether its open transaction wrote (storage/write_tracking.py)."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=track_writes())

"""The session for inline SQLite: hot statements run on a bare pooled connection.

Why: most updates run only hot statements (``storage/hot_sql.py``), and SQLAlchemy's session
still built a transaction around them: connection checkout, ``Connection`` and transaction
objects, its commit's state machine, checkin. Taking that away moved the bot from 3.2 to 2.6 ms
of CPU per update in back-to-back runs of ``python -m tests.benchmarks.ingest``. An :class:`UpdateSession`
gives hot statements a pooled connection straight from the pool instead (a "light"
transaction) and commits it with sqlite3's own ``commit``.

The ORM keeps working in the same session: when it needs a connection while a light one is
open, it gets that very connection, so writes of both kinds share one transaction and one
commit. Rules kept from ``storage.db``: a write begins with this process's writer queue and
``BEGIN IMMEDIATE`` (hot statements do that), the queue is released at commit or rollback, and
the session's before-commit and after-rollback hooks (``storage/session_hooks.py``) run.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn

from storage import session_hooks, sqlite_inline
from storage.sqlite_inline import InlineConnection

_LIGHT = "light_connection"
_INLINE_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def mark_inline(engine: AsyncEngine) -> None:
    """Sessions on ``engine`` may run light transactions (its connections are inline SQLite)."""
    _INLINE_ENGINES.add(engine.sync_engine)


class Light:
    """A pooled inline connection lent to one session, outside SQLAlchemy's transaction."""

    __slots__ = ("conn", "dialect", "fairy", "inline")

    def __init__(self, fairy: PoolProxiedConnection, inline: InlineConnection, dialect: Dialect) -> None:
        self.fairy = fairy
        self.inline = inline
        self.dialect = dialect
        self.conn: Connection | None = None

    @property
    def info(self) -> dict[str, Any]:
        """The connection record's info: where the writer queue is noted as held."""
        return self.fairy.info

    def connection(self, engine: Engine) -> Connection:
        """SQLAlchemy's view of this same connection, for the ORM (made once, when needed)."""
        if self.conn is None:
            self.conn = Connection(engine, connection=self.fairy)
        return self.conn

    def give_back(self) -> None:
        """Roll back whatever is still open, free the writer queue, return the connection."""
        raw = self.inline.sqlite
        if raw.in_transaction:
            raw.rollback()
        sqlite_inline.release_gate(self.fairy.info)
        if self.conn is not None:
            self.conn.close()  # returns the pooled connection too
        else:
            self.fairy.close()


class UpdateSyncSession(Session):
    """Sync side of :class:`UpdateSession`: the ORM binds to the light connection when open."""

    def get_bind(self, *args: Any, **kw: Any) -> Engine | Connection:  # type: ignore[override]
        """The light connection while one is open, else the engine as usual."""
        light: Light | None = self.info.get(_LIGHT)
        if light is not None and isinstance(self.bind, Engine):
            return light.connection(self.bind)
        return super().get_bind(*args, **kw)


class UpdateSession(AsyncSession):
    """AsyncSession whose hot statements may run in a light transaction (module docstring)."""

    sync_session_class = UpdateSyncSession

    async def light(self) -> Light | None:
        """The light connection, checked out now if needed; None when SQLAlchemy's own
        transaction is open (hot statements then join it) or the engine is not inline."""
        sync = self.sync_session
        light: Light | None = sync.info.get(_LIGHT)
        if light is not None:
            return light
        engine = sync.bind
        if sync.in_transaction() or not isinstance(engine, Engine) or engine not in _INLINE_ENGINES:
            return None
        pool = engine.pool
        # An idle connection is taken at once; otherwise the pool may have to open one or wait,
        # and both need SQLAlchemy's greenlet.
        idle = isinstance(pool, QueuePool) and pool.checkedin() > 0
        fairy = pool.connect() if idle else await greenlet_spawn(pool.connect)
        inline = sqlite_inline.inline_of(fairy.dbapi_connection)
        if inline is None:  # pragma: no cover - engines are marked inline only when they are
            fairy.close()
            raise RuntimeError("inline engine gave a connection that is not inline")
        light = sync.info[_LIGHT] = Light(fairy, inline, engine.dialect)
        return light

    def in_transaction(self) -> bool:
        """True while SQLAlchemy's transaction or a light one is open."""
        return _LIGHT in self.sync_session.info or super().in_transaction()

    async def commit(self) -> None:
        """Commit; a light transaction runs the before-commit hooks and commits in sqlite3."""
        sync = self.sync_session
        light: Light | None = sync.info.get(_LIGHT)
        if light is None:
            await super().commit()
            return
        if sync.in_transaction():
            # The ORM joined the light connection: SQLAlchemy's commit ends both. Should it
            # fail, the light connection stays for the caller's rollback to end.
            await super().commit()
        else:
            try:
                await _run_before_commit(sync, light)
                if light.inline.sqlite.in_transaction:
                    light.inline.sqlite.commit()
            except BaseException:
                del sync.info[_LIGHT]
                light.give_back()
                session_hooks.run_after_rollback(sync)
                raise
        del sync.info[_LIGHT]
        light.give_back()

    async def rollback(self) -> None:
        """Roll back both kinds of transaction; after-rollback hooks run once."""
        sync = self.sync_session
        light: Light | None = sync.info.pop(_LIGHT, None)
        if light is None:
            await super().rollback()
            return
        joined = sync.in_transaction()
        try:
            if joined:
                await super().rollback()
        finally:
            light.give_back()
        if not joined:
            session_hooks.run_after_rollback(sync)

    async def close(self) -> None:
        """Close; an open light transaction is rolled back."""
        light: Light | None = self.sync_session.info.pop(_LIGHT, None)
        try:
            await super().close()
        finally:
            if light is not None:
                light.give_back()


async def _run_before_commit(sync: Session, light: Light) -> None:
    if not session_hooks.has_before_commit(sync):
        return
    if light.inline.sqlite.in_transaction:
        session_hooks.run_before_commit(sync)  # they write into the open transaction
        return
    # A hook that writes must begin the transaction (writer queue, BEGIN IMMEDIATE), which may
    # wait: in SQLAlchemy's greenlet it can.
    await greenlet_spawn(session_hooks.run_before_commit, sync)


def light_of(sync_session: Session) -> Light | None:
    """The light connection open in ``sync_session``, if any (for session hooks)."""
    return sync_session.info.get(_LIGHT)

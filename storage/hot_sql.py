"""Hot-path statements: SQLAlchemy Core, compiled once, run straight on sqlite3 when inline.

Why: on the survey's path every update runs a handful of tiny statements (20-50 µs each in
SQLite), and SQLAlchemy's machinery around each one (cache key, execution context, result
object, greenlet switch, ORM unit of work) cost several times that; it was the largest part of
the bot's CPU per update (``python -m tests.benchmarks.ingest``). A :class:`HotStatement` is an
ordinary Core statement; on an inline SQLite connection (``storage/sqlite_inline.py``) it runs
on the session's own sqlite3 connection, inside the session's transaction (a light one when
SQLAlchemy's is not open, see ``storage/update_session.py``), with SQLAlchemy's type
processing applied by hand. Anywhere else (threaded SQLite, PostgreSQL, ...) the very same
statement goes through ``session.connection().execute``.

Running beside SQLAlchemy means doing what its execution would have done:
- writes start the transaction as ``storage.db`` does (this process's writer queue, then
  ``BEGIN IMMEDIATE``); the session's commit or rollback ends it and frees the queue;
- Python-side column defaults are not applied, so a statement must set every column that has
  one (checked when the statement is made), and expanding IN lists are not supported;
- SQLAlchemy events (``before_cursor_execute``) do not fire for these statements.
"""

from __future__ import annotations

import re
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Select, Update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from storage import db, sqlite_inline
from storage.sqlite_inline import InlineConnection
from storage.update_session import UpdateSession, light_of

Row = tuple[Any, ...]
Processor = Callable[[Any], Any] | None
_RAW = "hot_sql_connection"
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class HotStatement:
    """A Core statement with named bind parameters, compiled once per dialect."""

    __slots__ = ("__weakref__", "_plans", "stmt")

    def __init__(self, stmt: Select[Any] | Insert | Update | Delete) -> None:
        self.stmt = stmt
        self._plans: dict[type[Dialect], _Plan] = {}
        _ALL.add(self)
        compiled = stmt.compile(dialect=sqlite.dialect())
        if "POSTCOMPILE" in str(compiled):
            raise ValueError("hot statements cannot use expanding IN lists; use OR or a subquery")
        # Columns whose Python-side default or onupdate SQLAlchemy would compute at execution.
        prefetch = [c.name for c in [*compiled.insert_prefetch, *compiled.update_prefetch]]
        if prefetch:
            raise ValueError(f"hot statement must set {prefetch} itself: {compiled}")

    def plan(self, dialect: Dialect) -> _Plan:
        """SQL text, parameter order and type processors for ``dialect``."""
        plan = self._plans.get(type(dialect))
        if plan is None:
            plan = self._plans[type(dialect)] = _Plan(self.stmt, dialect)
        return plan


# Every hot statement made, so start-up can plan them all at once (see prepare_all).
_ALL: weakref.WeakSet[HotStatement] = weakref.WeakSet()


def prepare_all(dialect: Dialect) -> None:
    """Plan every hot statement for ``dialect`` now, not on the first update that needs each
    one: planning compiles the statement, a few milliseconds that partners would wait."""
    for st in list(_ALL):
        st.plan(dialect)


class _Plan:
    __slots__ = ("binds", "fixed", "names", "results", "sql", "write")

    def __init__(self, stmt: Select[Any] | Insert | Update | Delete, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names: Sequence[str] = compiled.positiontup or ()
        # Values written into the statement itself (literals), as opposed to bindparam("name").
        self.fixed = {n: compiled.params[n] for n in set(self.names) if not compiled.binds[n].required}
        # dialect_impl: the dialect's own type (SQLite's DateTime stores text), under any decorator.
        self.binds: list[Processor] = [
            compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in self.names
        ]
        self.results: list[Processor] = (
            [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in stmt.selected_columns]
            if isinstance(stmt, Select)
            else []
        )
        self.write = bool(_WRITE.match(self.sql))

    def args(self, params: dict[str, Any]) -> list[Any]:
        values = self.fixed | params if self.fixed else params
        out = []
        for name, proc in zip(self.names, self.binds, strict=True):
            value = values[name]
            out.append(proc(value) if proc is not None and value is not None else value)
        return out

    def row(self, raw: Row) -> Row:
        if not any(self.results):
            return raw
        return tuple(p(v) if p is not None else v for p, v in zip(self.results, raw, strict=True))


# Where a hot statement runs: the dialect (for its plan), the connection record's info (where
# the writer queue is noted as held) and the inline sqlite3 connection (None: not inline).
_Target = tuple[Dialect, dict[str, Any], InlineConnection | None]


def _cached(sync: Session) -> _Target | None:
    """The light connection, or what :func:`_remember` kept while that transaction lasts."""
    light = light_of(sync)
    if light is not None:
        return light.dialect, light.info, light.inline
    cached = sync.info.get(_RAW)
    if cached is not None and cached[0] is sync.get_transaction():
        return cached[1]
    return None


def _remember(sync: Session, conn: Connection) -> _Target:
    target = conn.dialect, conn.info, sqlite_inline.inline_of(conn.connection.dbapi_connection)
    sync.info[_RAW] = (sync.get_transaction(), target)
    return target


async def _connection(session: AsyncSession) -> _Target:
    """Where the session's statements run now: its light connection (opened if it has none
    and may have one), else its SQLAlchemy connection, its transaction joined."""
    sync = session.sync_session
    found = _cached(sync)
    if found is not None:
        return found
    if isinstance(session, UpdateSession):
        light = await session.light()
        if light is not None:
            return light.dialect, light.info, light.inline
    conn = (await session.connection()).sync_connection
    assert conn is not None
    return _remember(sync, conn)


async def begin(session: AsyncSession) -> None:
    """Open the session's transaction now, so its next commit runs its hooks (which write)."""
    await _connection(session)


async def _inline(session: AsyncSession, st: HotStatement) -> tuple[sqlite3.Connection, _Plan] | None:
    """The sqlite3 connection to run ``st`` on, a write transaction begun if it writes; None
    when the session's connection is not an inline one."""
    dialect, info, inline = await _connection(session)
    if inline is None:
        return None
    plan = st.plan(dialect)
    raw = inline.sqlite
    if plan.write and not raw.in_transaction:
        await sqlite_inline.begin_write(info, inline, db.BUSY_TIMEOUT_MS / 1000)
    return raw, plan


async def _run(
    session: AsyncSession, st: HotStatement, params: dict[str, Any]
) -> tuple[sqlite3.Cursor, _Plan] | None:
    """Run on the inline connection; None when the session's connection is not one."""
    found = await _inline(session, st)
    if found is None:
        return None
    raw, plan = found
    return raw.execute(plan.sql, plan.args(params)), plan


async def fetch_one(session: AsyncSession, st: HotStatement, **params: Any) -> Row | None:
    """The first row, or None."""
    ran = await _run(session, st, params)
    if ran is None:
        found = (await session.execute(st.stmt, params)).first()
        return tuple(found) if found is not None else None
    row = ran[0].fetchone()
    return ran[1].row(row) if row is not None else None


async def fetch_all(session: AsyncSession, st: HotStatement, **params: Any) -> list[Row]:
    """All rows."""
    ran = await _run(session, st, params)
    if ran is None:
        return [tuple(r) for r in (await session.execute(st.stmt, params)).all()]
    cursor, plan = ran
    return [plan.row(r) for r in cursor.fetchall()]


async def execute(session: AsyncSession, st: HotStatement, **params: Any) -> int:
    """Run a write; returns the new row's id for an INSERT, else the number of rows changed."""
    ran = await _run(session, st, params)
    if ran is None:
        result = await session.execute(st.stmt, params)
        if isinstance(st.stmt, Insert):
            return int(result.inserted_primary_key[0])  # type: ignore[attr-defined]
        return int(result.rowcount)  # type: ignore[attr-defined]
    cursor = ran[0]
    return int(cursor.lastrowid or 0) if isinstance(st.stmt, Insert) else cursor.rowcount


async def execute_many(session: AsyncSession, st: HotStatement, rows: Sequence[dict[str, Any]]) -> None:
    """Run a write once per parameter set in ``rows``."""
    if not rows:
        return
    found = await _inline(session, st)
    if found is None:
        await session.execute(st.stmt, list(rows))
        return
    raw, plan = found
    raw.executemany(plan.sql, [plan.args(r) for r in rows])


def execute_sync(sync_session: Session, st: HotStatement, **params: Any) -> None:
    """Run a write from a session hook: inside the open write transaction, or inside
    SQLAlchemy's greenlet, where beginning one may wait for the writer queue."""
    dialect, info, inline = _cached(sync_session) or _remember(sync_session, sync_session.connection())
    if inline is None or not (inline.sqlite.in_transaction or in_greenlet()):
        sync_session.connection().execute(st.stmt, params)  # SQLAlchemy's hooks begin the write
        return
    plan = st.plan(dialect)
    if not inline.sqlite.in_transaction:
        await_only(sqlite_inline.begin_write(info, inline, db.BUSY_TIMEOUT_MS / 1000))
    inline.sqlite.execute(plan.sql, plan.args(params))

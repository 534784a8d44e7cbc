"""INSERT ... ON CONFLICT for the database a session is on.

SQLite and PostgreSQL spell it the same way and SQLAlchemy gives both dialects the same
``on_conflict_do_nothing`` / ``on_conflict_do_update`` API; only the construct's module differs.
Each module is imported when a database of its kind first asks: SQLAlchemy's PostgreSQL
dialect took 0.06-0.24 s of every start on SQLite, which never uses it.
Hot upserts are built once per dialect (:func:`per_dialect`) and picked per session
(:func:`pick`): building one costs more than running it (``excluded`` is a new alias each time),
and a statement object built once also keeps its cache key, so SQLAlchemy's compiled cache
finds it without walking it again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

T = TypeVar("T")


def _insert_of(dialect: str) -> Callable[[Any], Any]:
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    raise NotImplementedError(f"upserts are not written for {dialect}")


def _dialect(session: AsyncSession | Session) -> str:
    return session.get_bind().dialect.name


def insert(session: AsyncSession | Session, table: Any) -> Any:
    """An ``INSERT`` into ``table`` that supports ``on_conflict_*`` on the session's database."""
    return _insert_of(_dialect(session))(table)


def per_dialect(build: Callable[[Callable[[Any], Any]], T]) -> Callable[[str], T]:
    """``build(insert)`` once for each database we run on (``insert`` is that dialect's), the
    first time a session on it asks (:func:`pick`)."""

    @cache
    def built(dialect: str) -> T:
        return build(_insert_of(dialect))

    return built


def pick(session: AsyncSession | Session, built: Callable[[str], T]) -> T:
    """The statement of :func:`per_dialect` for the session's database."""
    return built(_dialect(session))


def insert_for(dialect: str, table: Any) -> Any:
    """An ``INSERT`` into ``table`` supporting ``on_conflict_*`` on the dialect named ``dialect``."""
    return _insert_of(dialect)(table)

"""INSERT ... ON CONFLICT for the database a session is on.

SQLite and PostgreSQL spell it the same way and SQLAlchemy gives both dialects the same
``on_conflict_do_nothing`` / ``on_conflict_do_update`` API; only the construct's module differs.
Hot upserts are built once per dialect (:func:`per_dialect`) and picked per session
(:func:`pick`): building one costs more than running it (``excluded`` is a new alias each time),
and a statement object built once also keeps its cache key, so SQLAlchemy's compiled cache
finds it without walking it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

T = TypeVar("T")

_INSERTS: dict[str, Callable[[Any], Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _dialect(session: AsyncSession | Session) -> str:
    name = session.get_bind().dialect.name
    if name not in _INSERTS:
        raise NotImplementedError(f"upserts are not written for {name}")
    return name


def insert(session: AsyncSession | Session, table: Any) -> Any:
    """An ``INSERT`` into ``table`` that supports ``on_conflict_*`` on the session's database."""
    return _INSERTS[_dialect(session)](table)


def per_dialect(build: Callable[[Callable[[Any], Any]], T]) -> dict[str, T]:
    """``build(insert)`` once for each database we run on (``insert`` is that dialect's)."""
    return {name: build(make) for name, make in _INSERTS.items()}


def pick(session: AsyncSession | Session, built: Mapping[str, T]) -> T:
    """The statement of :func:`per_dialect` for the session's database."""
    return built[_dialect(session)]


def insert_for(dialect: str, table: Any) -> Any:
    """An ``INSERT`` into ``table`` supporting ``on_conflict_*`` on the dialect named ``dialect``."""
    if dialect not in _INSERTS:
        raise NotImplementedError(f"upserts are not written for {dialect}")
    return _INSERTS[dialect](table)

"""INSERT ... ON CONFLICT for the database a session is on.

SQLite and PostgreSQL spell it the same way and SQLAlchemy gives both dialects the same
``on_conflict_do_nothing`` / ``on_conflict_do_update`` API; only the construct's module differs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert(session: AsyncSession, table: Any) -> Any:
    """An ``INSERT`` into ``table`` that supports ``on_conflict_*`` on the session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upserts are not written for {name}")

"""Readiness: the database answers and its schema is at the migrations' head."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.migrate import HEAD_REVISION


def migration_heads() -> frozenset[str]:
    """The head revision of our migrations (storage/migrate.py; no database, no Alembic)."""
    return frozenset({HEAD_REVISION})


async def schema_revisions(session: AsyncSession) -> frozenset[str]:
    """The revisions the database says it is at (raises when it cannot be reached)."""
    rows = await session.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(str(r[0]) for r in rows)

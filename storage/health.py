"""Readiness: the database answers and its schema is at the migrations' head."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.migrate import alembic_config


def migration_heads(url: str) -> frozenset[str]:
    """The head revisions of our migrations (read from files; no database needed)."""
    return frozenset(ScriptDirectory.from_config(alembic_config(url)).get_heads())


async def schema_revisions(session: AsyncSession) -> frozenset[str]:
    """The revisions the database says it is at (raises when it cannot be reached)."""
    rows = await session.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(str(r[0]) for r in rows)

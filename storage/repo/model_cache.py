"""Saved trained models (``model_cache``), one row per key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.models import ModelCache, utcnow


async def load(session: AsyncSession, key: str) -> bytes | None:
    """The saved model under ``key``, or None."""
    data: bytes | None = await session.scalar(select(ModelCache.data).where(ModelCache.key == key))
    return data


async def save(session: AsyncSession, key: str, data: bytes) -> None:
    """Save a model under ``key`` (a process that trained the same model first wins; same bytes)."""
    stmt = upsert.insert(session, ModelCache).values(key=key, data=data, created_at=utcnow())
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[ModelCache.key]))

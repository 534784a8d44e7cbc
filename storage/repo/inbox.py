"""The update journal: what Telegram gave us and whether we have handled it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate, utcnow

MAX_ATTEMPTS = 3


async def journal(session: AsyncSession, updates: Sequence[dict[str, Any]]) -> list[int]:
    """Store raw updates; return the ids that were not journaled before (duplicates skipped)."""
    if not updates:
        return []
    ids = [int(u["update_id"]) for u in updates]
    known = set(
        (await session.scalars(select(InboxUpdate.update_id).where(InboxUpdate.update_id.in_(ids)))).all()
    )
    fresh: list[int] = []
    for raw in updates:
        uid = int(raw["update_id"])
        if uid in known or uid in fresh:
            continue
        session.add(InboxUpdate(update_id=uid, payload=json.dumps(raw, ensure_ascii=False)))
        fresh.append(uid)
    return fresh


async def pending(session: AsyncSession, limit: int = 1000) -> list[tuple[int, dict[str, Any]]]:
    """Journaled updates not handled yet, oldest first (replayed at start-up)."""
    rows = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(InboxUpdate.processed_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    return [(uid, json.loads(payload)) for uid, payload in rows.all()]


async def mark_processed(session: AsyncSession, update_id: int, error: str | None = None) -> None:
    """Mark one update handled (in the caller's transaction)."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(processed_at=utcnow(), error=error)
    )


async def record_failure(session: AsyncSession, update_id: int, error: str) -> bool:
    """Count a failed attempt; after MAX_ATTEMPTS the update is parked as processed with its error.

    Returns True when the update was parked.
    """
    row = await session.get(InboxUpdate, update_id)
    if row is None:
        return True
    row.attempts += 1
    row.error = error[:2000]
    parked = row.attempts >= MAX_ATTEMPTS
    if parked:
        row.processed_at = utcnow()
    return parked


async def is_processed(session: AsyncSession, update_id: int) -> bool:
    """True when the update was handled already."""
    value = await session.scalar(select(InboxUpdate.processed_at).where(InboxUpdate.update_id == update_id))
    return value is not None


async def max_update_id(session: AsyncSession) -> int | None:
    """Highest journaled update id."""
    return await session.scalar(select(func.max(InboxUpdate.update_id)))

"""The update journal: what Telegram gave us and whether we have handled it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Update, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate, utcnow


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


def processed_statement(update_id: int, error: str | None = None) -> Update:
    """The UPDATE that marks one update handled (also run from a sync session hook)."""
    return (
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(processed_at=utcnow(), error=error)
    )


async def mark_processed(session: AsyncSession, update_id: int, error: str | None = None) -> None:
    """Mark one update handled (in the caller's transaction)."""
    await session.execute(processed_statement(update_id, error))

"""The update journal: what Telegram gave us and whether we have handled it.

Core statements built once: the journal is written twice per update (``python -m
tests.benchmarks.ingest``), and the ORM's unit of work cost more than the statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.hot_sql import HotStatement, execute, execute_many, execute_sync, fetch_all
from storage.models import InboxUpdate, utcnow

_T = cast(Table, InboxUpdate.__table__)
# A range, not an IN list: ids of one batch are consecutive, and hot statements take no lists.
_KNOWN = HotStatement(select(_T.c.update_id).where(_T.c.update_id.between(bindparam("lo"), bindparam("hi"))))
_INSERT = HotStatement(
    insert(_T).values(
        update_id=bindparam("uid"), payload=bindparam("payload"), received_at=bindparam("at"), attempts=0
    )
)
_PROCESSED = HotStatement(
    update(_T)
    .where(_T.c.update_id == bindparam("uid"))
    .values(processed_at=bindparam("at"), error=bindparam("err"))
)


async def journal(session: AsyncSession, updates: Sequence[dict[str, Any]]) -> list[int]:
    """Store raw updates; return the ids that were not journaled before (duplicates skipped)."""
    if not updates:
        return []
    ids = [int(u["update_id"]) for u in updates]
    known = {row[0] for row in await fetch_all(session, _KNOWN, lo=min(ids), hi=max(ids))}
    fresh: list[int] = []
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for raw in updates:
        uid = int(raw["update_id"])
        if uid in known:
            continue
        known.add(uid)  # the same update twice in one batch is journaled once
        rows.append({"uid": uid, "payload": orjson.dumps(raw).decode(), "at": now})
        fresh.append(uid)
    await execute_many(session, _INSERT, rows)
    return fresh


async def pending(session: AsyncSession, limit: int = 1000) -> list[tuple[int, dict[str, Any]]]:
    """Journaled updates not handled yet, oldest first (replayed at start-up)."""
    rows = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(InboxUpdate.processed_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    return [(uid, orjson.loads(payload)) for uid, payload in rows.all()]


def mark_processed_sync(sync_session: Session, update_id: int, error: str | None = None) -> None:
    """Mark one update handled, from a session's before_commit hook (in its transaction)."""
    execute_sync(sync_session, _PROCESSED, uid=update_id, at=utcnow(), err=error)


async def mark_processed(session: AsyncSession, update_id: int, error: str | None = None) -> None:
    """Mark one update handled (in the caller's transaction)."""
    await execute(session, _PROCESSED, uid=update_id, at=utcnow(), err=error)

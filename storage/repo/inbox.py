"""The update journal: what Telegram gave us and whether we have handled it.

An update's payload is kept only until it is handled: the mark that says so also empties it,
so the journal holds no personal data of handled updates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.models import InboxUpdate, utcnow
from storage.tables import table_of
from storage.write_gate import WRITE_FIRST

HANDLED_PAYLOAD = ""  # what a handled update's payload becomes

_TABLE = table_of(InboxUpdate)
# Built once: every update runs them. The mark takes its SET columns from the parameters; the
# journal insert runs once for a whole batch (executemany), compiled once whatever its size.
_MARK = update(_TABLE).where(_TABLE.c.update_id == bindparam("marked_id"))
_JOURNAL = upsert.per_dialect(
    lambda make: (
        make(_TABLE).on_conflict_do_nothing(index_elements=[_TABLE.c.update_id]).returning(_TABLE.c.update_id)
    )
)


@dataclass(frozen=True)
class Claim:
    """Journaled rows owned by a webhook replica from the start (storage.repo.inbox_claims)."""

    owner: str
    until: datetime  # the lease's end
    ordering_key: Callable[[dict[str, Any]], int]  # the partner (else the chat) of an update


async def journal(
    session: AsyncSession, updates: Sequence[dict[str, Any]], claim: Claim | None = None
) -> list[int]:
    """Store raw updates; return the ids that were not journaled before (duplicates skipped).

    Idempotent on ``update_id`` even when two processes journal the same update at once. With
    ``claim`` the new rows are written owned by it, in the same statement."""
    rows: dict[int, dict[str, Any]] = {}
    now = utcnow()
    for raw in updates:
        uid = int(raw["update_id"])
        if uid in rows:
            continue  # the same update twice in one batch is journaled once
        row = {"update_id": uid, "payload": orjson.dumps(raw).decode(), "received_at": now}
        if claim is not None:
            row.update(claimed_by=claim.owner, lease_until=claim.until, ordering_key=claim.ordering_key(raw))
        rows[uid] = row
    if not rows:
        return []
    # First in line for SQLite's write lock: the next getUpdates (and every tap in it) waits on this.
    result = await session.execute(
        upsert.pick(session, _JOURNAL), list(rows.values()), execution_options={WRITE_FIRST: True}
    )
    fresh = set(result.scalars().all())
    return [uid for uid in rows if uid in fresh]


async def pending(session: AsyncSession, limit: int = 1000) -> list[tuple[int, dict[str, Any]]]:
    """Journaled updates not handled yet, oldest first (replayed at start-up)."""
    rows = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(InboxUpdate.processed_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    return [(uid, orjson.loads(payload)) for uid, payload in rows.all()]


async def mark_processed(
    session: AsyncSession, update_id: int, error: str | None = None, *, reply: str | None = None
) -> None:
    """Mark one update handled (in the caller's transaction) and drop its payload; ``reply``
    is held on the row in the same statement (see :func:`hold_reply`).

    With ``error`` (a failed handler, parked) a reply it held is dropped too: nothing of a
    failed update is sent later."""
    params: dict[str, Any] = {
        "marked_id": update_id,
        "processed_at": utcnow(),
        "error": error,
        "payload": HANDLED_PAYLOAD,
    }
    if error is not None or reply is not None:
        params["reply"] = None if error is not None else reply
    await session.execute(_MARK, params)


async def hold_reply(session: AsyncSession, update_id: int, reply: str) -> None:
    """Keep ``reply`` (bot/held_replies.py) on the handled update's row while it waits to be sent
    (in the caller's transaction)."""
    await set_replies(session, [reply_params(update_id, reply)])


async def release_reply(session: AsyncSession, update_id: int) -> None:
    """The held reply went out (or was refused): forget it (in the caller's transaction)."""
    await set_replies(session, [reply_params(update_id, None)])


def reply_params(update_id: int, reply: str | None) -> dict[str, Any]:
    """One row for :func:`set_replies`: hold ``reply`` on the update's row, or clear it (None)."""
    return {"marked_id": update_id, "reply": reply}


async def set_replies(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Hold or clear the replies of many handled updates (in the caller's transaction)."""
    if rows:
        await session.execute(_MARK, rows)


async def held_replies(
    session: AsyncSession, *, after: int = -1, upto: int | None = None, limit: int = 1000
) -> list[tuple[int, str]]:
    """Held replies of updates ``after`` < id <= ``upto``, oldest first: a single process sends
    those held when it last stopped at start-up."""
    stmt = select(InboxUpdate.update_id, InboxUpdate.reply).where(
        InboxUpdate.reply.is_not(None), InboxUpdate.update_id > after
    )
    if upto is not None:
        stmt = stmt.where(InboxUpdate.update_id <= upto)
    rows = await session.execute(stmt.order_by(InboxUpdate.update_id).limit(limit))
    return [(int(uid), str(reply)) for uid, reply in rows.all()]


async def last_held(session: AsyncSession) -> int | None:
    """The newest update holding a reply, if any."""
    found = await session.scalar(
        select(func.max(InboxUpdate.update_id)).where(InboxUpdate.reply.is_not(None))
    )
    return int(found) if found is not None else None

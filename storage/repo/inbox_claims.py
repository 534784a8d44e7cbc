"""Journal rows shared by webhook replicas: owned with a lease, taken over when their owner dies.

The replica that journals an update owns it (``claimed_by``, ``lease_until``) and renews the
lease on all its unhandled rows while it runs. A row whose lease ran out (its replica died
between journaling and handling) is claimed by another replica's sweep, ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL so two sweeping replicas take different rows. A starting replica takes
only such rows, never a live replica's. ``ordering_key`` (the partner, else the chat) lets a
replica see whether an earlier update of the same partner is still unhandled anywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate


async def renew(session: AsyncSession, owner: str, until: datetime) -> int:
    """Extend the lease of every row ``owner`` holds that is unhandled or holds a reply waiting
    to be sent; returns how many. Commits."""
    result = await session.execute(
        update(InboxUpdate)
        .where(
            InboxUpdate.claimed_by == owner,
            or_(InboxUpdate.processed_at.is_(None), InboxUpdate.reply.is_not(None)),
        )
        .values(lease_until=until)
    )
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def _take_expired(
    session: AsyncSession, which: Any, column: Any, owner: str, until: datetime, now: datetime, limit: int
) -> list[tuple[int, Any]]:
    """Claim rows matching ``which`` whose lease ran out (or never had one), oldest first, with
    ``column``; two sweeping replicas take different rows. Commits."""
    wanted = and_(which, or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until < now))
    candidates = (
        select(InboxUpdate.update_id)
        .where(wanted)
        .order_by(InboxUpdate.update_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await session.scalars(candidates)).all())
    if not ids:
        await session.commit()
        return []
    taken = await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(ids), wanted)
        .values(claimed_by=owner, lease_until=until)
        .returning(InboxUpdate.update_id, column)
    )
    rows = sorted((int(uid), value) for uid, value in taken.all())
    await session.commit()
    return rows


async def take_orphans(
    session: AsyncSession, owner: str, until: datetime, now: datetime, limit: int = 500
) -> list[tuple[int, dict[str, Any]]]:
    """Claim unhandled rows nobody holds (lease ran out, or never had one), oldest first. Commits."""
    rows = await _take_expired(
        session, InboxUpdate.processed_at.is_(None), InboxUpdate.payload, owner, until, now, limit
    )
    return [(uid, orjson.loads(payload)) for uid, payload in rows]


async def take_held(
    session: AsyncSession, owner: str, until: datetime, now: datetime, limit: int = 500
) -> list[tuple[int, str]]:
    """Claim held replies (storage.repo.inbox.hold_reply) whose replica died: lease ran out.

    Oldest update first; the caller sends each and releases it. Commits."""
    rows = await _take_expired(
        session, InboxUpdate.reply.is_not(None), InboxUpdate.reply, owner, until, now, limit
    )
    return [(uid, str(reply)) for uid, reply in rows]


async def earlier_unhandled(
    session: AsyncSession, key: int, update_id: int
) -> tuple[int, str | None, datetime] | None:
    """The oldest unhandled update of ``key`` before ``update_id``, with its owner and lease end
    (None: this update is next). A row without a lease reads as already expired."""
    row = (
        await session.execute(
            select(InboxUpdate.update_id, InboxUpdate.claimed_by, InboxUpdate.lease_until)
            .where(
                and_(
                    InboxUpdate.ordering_key == key,
                    InboxUpdate.update_id < update_id,
                    InboxUpdate.processed_at.is_(None),
                )
            )
            .order_by(InboxUpdate.update_id)
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return int(row[0]), row[1], row[2] or datetime.min.replace(tzinfo=UTC)


async def owners_with_prefix(session: AsyncSession, prefix: str) -> list[str]:
    """Owners named ``prefix…`` that still hold unhandled rows or held replies."""
    rows = await session.scalars(
        select(InboxUpdate.claimed_by)
        .where(
            InboxUpdate.claimed_by.startswith(prefix, autoescape=True),
            or_(InboxUpdate.processed_at.is_(None), InboxUpdate.reply.is_not(None)),
        )
        .distinct()
    )
    return [owner for owner in rows if owner is not None]


async def expire(session: AsyncSession, owners: list[str], now: datetime) -> int:
    """End the leases of ``owners`` (known dead) at once, so the next sweep takes their rows.
    Commits."""
    if not owners:
        return 0
    result = await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.claimed_by.in_(owners), InboxUpdate.lease_until >= now)
        .values(lease_until=now - timedelta(seconds=1))
    )
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)

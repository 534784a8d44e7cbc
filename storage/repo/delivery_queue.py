"""Putting rows in the bulk-send outbox (:mod:`storage.repo.deliveries` sends them).

Enqueueing is always one INSERT ... SELECT per call with ON CONFLICT DO NOTHING, so the unique
key (kind, campaign, partner, ref) turns a second enqueue of the same step (a reminder job firing
twice, a double-pressed Launch) into a no-op instead of a second message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.models import Delivery, Partner, utcnow
from storage.models import delivery as d
from storage.models.base import UTCDateTime
from storage.repo.deliveries import CHUNK, has_answered


def _insert_ignore(session: AsyncSession) -> Any:
    """INSERT INTO deliveries ... ON CONFLICT DO NOTHING for the session's backend."""
    return upsert.insert(session, Delivery).on_conflict_do_nothing()


def _rows_select(kind: str, campaign_id: int, ref: int, partner_ids: Select[Any]) -> Select[Any]:
    """SELECT producing delivery rows for the partners ``partner_ids`` selects."""
    sub = partner_ids.subquery()
    now = utcnow()
    # SQLite needs a WHERE in an INSERT ... SELECT followed by ON CONFLICT (parser ambiguity).
    return select(
        literal(kind),
        literal(campaign_id),
        sub.c[0],
        literal(ref),
        literal(d.PENDING),
        literal(0),
        literal(now, UTCDateTime()),
    ).where(sub.c[0].is_not(None))


_COLUMNS = ("kind", "campaign_id", "partner_id", "ref", "status", "attempts", "created_at")


async def enqueue_select(
    session: AsyncSession, kind: str, campaign_id: int, partner_ids: Select[Any], ref: int = 0
) -> int:
    """Queue one ``kind`` row per partner id the select yields; returns rows actually added."""
    stmt = _insert_ignore(session).from_select(_COLUMNS, _rows_select(kind, campaign_id, ref, partner_ids))
    result = await session.execute(stmt)
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


async def enqueue_announcement(
    session: AsyncSession, campaign_id: int, announcement_id: int, partner_ids: Iterable[int]
) -> int:
    """Queue announcement ``announcement_id`` for the given partners; returns rows added.

    Unknown partner ids are ignored and a partner already queued for this announcement is not
    queued twice. Call ``bot.sending.notify(services)`` after committing to send at once
    (the sender also polls every second).
    """
    ids = sorted(set(partner_ids))
    added = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        added += await enqueue_select(
            session,
            d.ANNOUNCEMENT,
            campaign_id,
            select(Partner.id).where(Partner.id.in_(chunk)),
            ref=announcement_id,
        )
    return added


async def enqueue_reminders(
    session: AsyncSession, campaign_id: int, *, invited_before: datetime | None
) -> int:
    """Queue the one reminder of a campaign for invited, reachable partners who have not answered.

    ``invited_before`` limits it to invitations sent before that moment (None: all sent ones).
    The unique key makes a second reminder to the same partner impossible.
    """
    conditions = [
        Delivery.kind == d.INVITATION,
        Delivery.campaign_id == campaign_id,
        Delivery.status == d.SENT,
        Partner.reachable(),
        ~has_answered(campaign_id, Partner.id),
    ]
    if invited_before is not None:
        conditions.append(Delivery.sent_at <= invited_before)
    partner_ids = select(Partner.id).join(Delivery, Delivery.partner_id == Partner.id).where(*conditions)
    return await enqueue_select(session, d.REMINDER, campaign_id, partner_ids)

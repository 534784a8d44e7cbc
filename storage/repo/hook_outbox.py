"""The webhook outbox: claiming due events, recording what the receivers answered.

Rows move pending -> sending -> delivered | failed. Like the bulk-send outbox
(storage.repo.deliveries) a ``sending`` row carries its sender and a lease; a row whose sender
died (kill -9) is claimed again once the lease ran out and sent again with the same msg_id, so
a receiver sees at most a duplicate it can recognise, never a gap.

Order per partner: a row is claimable only when no earlier row of the same partner for the
same endpoint is still owed (pending or sending), so a partner's later event waits for the
earlier one however long that one is retried. Events without a partner (campaign.closed) are
not held back.

Back-off: a failed row waits ``backoff(attempts)`` (5 s doubling up to an hour) and the whole
endpoint ``backoff(failures in a row)``, or what a 429's Retry-After asks; a row still failing
RETRY_WINDOW (3 days) after it was queued is ``failed`` and the partner's next event goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, bindparam, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import HookDelivery, HookEndpoint
from storage.models import hook as h
from storage.models.base import UTCDateTime
from storage.tables import table_of

RETRY_WINDOW = timedelta(days=3)
BACKOFF_BASE = 5.0  # seconds before the first retry
BACKOFF_CAP = 3600.0  # at most an hour between tries: a receiver back after a day is served within it
ALERT_AFTER = timedelta(hours=1)  # failing this long: the managers' chat is told
KEEP_DELIVERED = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones (1 -> 5 s, 2 -> 10 s, ...)."""
    exponent = min(max(attempts - 1, 0), 20)
    return timedelta(seconds=min(BACKOFF_BASE * 2**exponent, BACKOFF_CAP))


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row taken for delivery, with what signing and sending need."""

    id: int
    endpoint_id: int
    msg_id: str
    event_type: str
    payload: str
    attempts: int
    created_at: datetime
    url: str
    secret: str
    allow_private: bool
    taken_over: bool  # its previous sender's lease ran out: it may have been sent already


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to."""

    id: int
    endpoint_id: int
    delivered: bool
    status: int | None = None  # the receiver's HTTP status, None when no answer came
    error: str | None = None
    gone: bool = False  # 410: the receiver asked us to stop
    retry_after: float | None = None  # seconds (429 / 503 with Retry-After)
    # The claim's attempt number (Claimed.attempts): a row claimed again since (its sender was
    # taken for dead) has a higher one, and this outcome no longer decides it. None: not checked.
    attempt: int | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the managers' chat must hear about an endpoint."""

    endpoint_id: int
    url: str
    kind: str  # "failing" (for an hour) | "disabled" (410)
    error: str | None
    since: datetime | None


def _claimable(now: datetime) -> Any:
    return or_(
        and_(HookDelivery.status == h.PENDING, HookDelivery.next_attempt_at <= now),
        and_(
            HookDelivery.status == h.SENDING,
            or_(HookDelivery.lease_until.is_(None), HookDelivery.lease_until < now),
        ),
    )


_earlier = aliased(HookDelivery)
_T = table_of(HookDelivery)
_ATTEMPT = bindparam("attempt", type_=Integer)
_RECORD = (
    update(_T)
    .where(
        _T.c.id == bindparam("row_id"),
        _T.c.status == h.SENDING,
        or_(_ATTEMPT.is_(None), _T.c.attempts == _ATTEMPT),
    )
    .values(
        status=bindparam("new_status"),
        next_attempt_at=bindparam("new_next", type_=UTCDateTime()),
        delivered_at=bindparam("new_delivered", type_=UTCDateTime()),
        last_status=bindparam("new_code"),
        last_error=bindparam("new_error"),
        claimed_by=None,
        lease_until=None,
    )
)


async def claim(
    session: AsyncSession, limit: int, *, owner: str, now: datetime, lease: timedelta
) -> list[Claimed]:
    """Flip up to ``limit`` due rows (oldest first, see module docstring) to ``sending``."""
    if limit <= 0:
        return []
    blocked = exists().where(
        _earlier.endpoint_id == HookDelivery.endpoint_id,
        _earlier.partner_id == HookDelivery.partner_id,
        _earlier.status.in_((h.PENDING, h.SENDING)),
        _earlier.id < HookDelivery.id,
    )
    query = (
        select(
            HookDelivery.id,
            HookDelivery.endpoint_id,
            HookDelivery.msg_id,
            HookDelivery.event_type,
            HookDelivery.payload,
            HookDelivery.attempts,
            HookDelivery.created_at,
            HookEndpoint.url,
            HookEndpoint.secret,
            HookEndpoint.allow_private,
            HookDelivery.status,
        )
        .join(HookEndpoint, HookEndpoint.id == HookDelivery.endpoint_id)
        .where(
            _claimable(now),
            HookEndpoint.enabled.is_(True),
            or_(HookEndpoint.retry_at.is_(None), HookEndpoint.retry_at <= now),
            ~blocked,
        )
        .order_by(HookDelivery.id)
        .limit(limit)
        .with_for_update(of=HookDelivery, skip_locked=True)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return []
    taken = await session.scalars(
        update(HookDelivery)
        .where(HookDelivery.id.in_([r[0] for r in rows]), _claimable(now))
        .values(
            status=h.SENDING,
            attempts=HookDelivery.attempts + 1,
            claimed_by=owner,
            lease_until=now + lease,
        )
        .returning(HookDelivery.id)
    )
    won = set(taken.all())
    return [
        Claimed(
            int(r[0]),
            int(r[1]),
            str(r[2]),
            str(r[3]),
            str(r[4]),
            int(r[5]) + 1,
            r[6],
            str(r[7]),
            str(r[8]),
            bool(r[9]),
            r[10] == h.SENDING,
        )
        for r in rows
        if r[0] in won
    ]


async def release(session: AsyncSession, ids: Sequence[int], owner: str) -> None:
    """Put rows this sender claimed but never finished back (a clean stop), unspent."""
    if ids:
        await session.execute(
            update(HookDelivery)
            .where(
                HookDelivery.id.in_(list(ids)),
                HookDelivery.status == h.SENDING,
                HookDelivery.claimed_by == owner,
            )
            .values(status=h.PENDING, attempts=HookDelivery.attempts - 1, claimed_by=None, lease_until=None)
        )


async def owners_with_prefix(session: AsyncSession, prefix: str) -> list[str]:
    """Senders named ``prefix…`` that hold ``sending`` rows."""
    rows = await session.scalars(
        select(HookDelivery.claimed_by)
        .where(HookDelivery.status == h.SENDING, HookDelivery.claimed_by.startswith(prefix, autoescape=True))
        .distinct()
    )
    return [owner for owner in rows if owner is not None]


async def expire(session: AsyncSession, owners: Sequence[str], now: datetime) -> int:
    """End the leases of ``owners`` (known dead), so the next claim takes their rows as taken
    over (sent again with the same msg_id); returns rows changed."""
    if not owners:
        return 0
    result = await session.execute(
        update(HookDelivery)
        .where(
            HookDelivery.status == h.SENDING,
            HookDelivery.claimed_by.in_(list(owners)),
            HookDelivery.lease_until >= now,
        )
        .values(lease_until=now - timedelta(seconds=1))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def record(session: AsyncSession, outcomes: Sequence[Outcome], *, now: datetime) -> list[Notice]:
    """Store outcomes and the endpoints' health; returns what the managers' chat must be told."""
    if not outcomes:
        return []
    known: dict[int, tuple[datetime, int]] = {}
    failures = [o.id for o in outcomes if not o.delivered and not o.gone]
    if failures:  # only a failure needs its age and tries (one read)
        rows = await session.execute(
            select(HookDelivery.id, HookDelivery.created_at, HookDelivery.attempts).where(
                HookDelivery.id.in_(failures)
            )
        )
        known = {int(rid): (at, int(n)) for rid, at, n in rows.all()}
    params: list[dict[str, Any]] = []
    for o in outcomes:
        status, next_at, delivered_at = h.PENDING, now, None
        if o.delivered:
            status, delivered_at = h.DELIVERED, now
        elif o.gone:
            pass  # kept pending for when the endpoint is enabled again
        elif o.id in known and known[o.id][0] + RETRY_WINDOW <= now:
            status = h.FAILED
        else:
            wait = backoff(known[o.id][1] if o.id in known else 1)
            if o.retry_after is not None:
                wait = max(wait, timedelta(seconds=o.retry_after))
            next_at = now + wait
        params.append(
            {
                "row_id": o.id,
                "new_status": status,
                "new_next": next_at,
                "new_delivered": delivered_at,
                "new_code": o.status,
                "new_error": (o.error or "")[:500] or None,
                "attempt": o.attempt,
            }
        )
    # One executemany for the batch (a statement per row cost more than the requests' wait).
    await session.execute(_RECORD, params)
    return await _endpoint_health(session, outcomes, now)


async def _endpoint_health(session: AsyncSession, outcomes: Sequence[Outcome], now: datetime) -> list[Notice]:
    notices: list[Notice] = []
    by_endpoint: dict[int, list[Outcome]] = {}
    for o in outcomes:
        by_endpoint.setdefault(o.endpoint_id, []).append(o)
    for eid, results in by_endpoint.items():
        endpoint = await session.get(HookEndpoint, eid, populate_existing=True)
        if endpoint is None:
            continue
        gone = next((o for o in results if o.gone), None)
        if gone is not None and endpoint.enabled:
            endpoint.enabled = False
            endpoint.disabled_reason = "410 Gone"
            endpoint.last_error = "the receiver answered 410 Gone"
            notices.append(Notice(eid, endpoint.url, "disabled", endpoint.last_error, endpoint.failing_since))
            continue
        if any(o.delivered for o in results):
            endpoint.failures = 0
            endpoint.failing_since = None
            endpoint.retry_at = None
            endpoint.alerted_at = None
            endpoint.last_error = None
            endpoint.delivered_at = now
            continue
        last = results[-1]
        endpoint.failures += 1
        endpoint.failing_since = endpoint.failing_since or now
        wait = backoff(endpoint.failures)
        if last.retry_after is not None:
            wait = max(wait, timedelta(seconds=last.retry_after))
        endpoint.retry_at = now + wait
        endpoint.last_error = (last.error or "")[:500] or None
        if endpoint.alerted_at is None and endpoint.failing_since + ALERT_AFTER <= now:
            endpoint.alerted_at = now
            notices.append(Notice(eid, endpoint.url, "failing", endpoint.last_error, endpoint.failing_since))
    await session.flush()
    return notices


async def prune(session: AsyncSession, *, now: datetime) -> int:
    """Forget delivered rows after a week and failed ones after a month."""
    result = await session.execute(
        delete(HookDelivery).where(
            or_(
                and_(HookDelivery.status == h.DELIVERED, HookDelivery.delivered_at < now - KEEP_DELIVERED),
                and_(HookDelivery.status == h.FAILED, HookDelivery.created_at < now - KEEP_FAILED),
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class EndpointCounts:
    """An endpoint's outbox rows by status."""

    pending: int = 0
    delivered: int = 0
    failed: int = 0


async def counts(session: AsyncSession) -> dict[int, EndpointCounts]:
    """Rows by endpoint and status (for /hooks)."""
    from sqlalchemy import func

    rows = await session.execute(
        select(HookDelivery.endpoint_id, HookDelivery.status, func.count()).group_by(
            HookDelivery.endpoint_id, HookDelivery.status
        )
    )
    raw: dict[int, dict[str, int]] = {}
    for eid, status, n in rows.all():
        raw.setdefault(int(eid), {})[str(status)] = int(n)
    return {
        eid: EndpointCounts(
            by.get(h.PENDING, 0) + by.get(h.SENDING, 0), by.get(h.DELIVERED, 0), by.get(h.FAILED, 0)
        )
        for eid, by in raw.items()
    }

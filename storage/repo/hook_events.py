"""Queueing webhook events, in the transaction of the write that causes them.

Each event becomes one ``hook_deliveries`` row per enabled endpoint subscribed to it, with one
``msg_id`` shared by those rows (the ``webhook-id`` every retry repeats) and the signed body
``{"type", "timestamp", "data"}`` stored as it will be sent. Because the rows are written with
the answer, alert or erasure itself, an event exists exactly when its cause was committed: a
crash before the commit loses both, a crash after it loses neither.

With no endpoint subscribed, an event costs one indexed read of ``hook_endpoints``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.nps import nps_for
from storage.models import Alert, Campaign, HookDelivery, HookEndpoint, utcnow
from storage.models import hook as h
from storage.repo import response_feed
from storage.repo.hook_endpoints import subscribed
from storage.tables import table_of

RESPONSE_CREATED = "response.created"
RESPONSE_UPDATED = "response.updated"
RESPONSE_COMPLETED = "response.completed"
ALERT_OPENED = "alert.opened"
ALERT_RESOLVED = "alert.resolved"
PARTNER_OPTED_OUT = "partner.opted_out"
PARTNER_ERASED = "partner.erased"
CAMPAIGN_CLOSED = "campaign.closed"

_D = table_of(HookDelivery)
_ENABLED = select(HookEndpoint.id, HookEndpoint.events).where(HookEndpoint.enabled.is_(True))


def new_msg_id() -> str:
    """A webhook-id: unique per event, the same for every endpoint and every retry."""
    return "msg_" + uuid.uuid4().hex


def body(event_type: str, data: dict[str, Any], timestamp: datetime) -> str:
    """The JSON body as signed and sent."""
    return orjson.dumps(
        {"type": event_type, "timestamp": response_feed.iso(timestamp), "data": data}
    ).decode()


async def targets(session: AsyncSession, event_type: str) -> list[int]:
    """Enabled endpoints subscribed to ``event_type``."""
    rows = (await session.execute(_ENABLED)).all()
    return [int(eid) for eid, events in rows if subscribed(str(events), event_type)]


async def enqueue(
    session: AsyncSession,
    event_type: str,
    data: dict[str, Any],
    *,
    partner_id: int | None,
    endpoint_ids: Sequence[int],
    now: datetime | None = None,
) -> str:
    """Queue one event for the given endpoints; returns its msg_id."""
    moment = now or utcnow()
    msg_id = new_msg_id()
    if endpoint_ids:
        payload = body(event_type, data, moment)
        await session.execute(
            insert(_D),
            [
                {
                    "endpoint_id": eid,
                    "msg_id": msg_id,
                    "event_type": event_type,
                    "partner_id": partner_id,
                    "payload": payload,
                    "status": h.PENDING,
                    "attempts": 0,
                    "created_at": moment,
                    "next_attempt_at": moment,
                }
                for eid in endpoint_ids
            ],
        )
    return msg_id


async def response_event(
    session: AsyncSession, event_type: str, response_id: int, endpoints: Sequence[int] | None = None
) -> None:
    """response.created / .updated / .completed with the response as it now stands
    (``endpoints``: :func:`targets` read beforehand by a caller that has not written yet)."""
    if endpoints is None:
        endpoints = await targets(session, event_type)
    if not endpoints:
        return
    data = await response_feed.describe(session, response_id)
    if data is not None:
        await enqueue(session, event_type, data, partner_id=data["partner_id"], endpoint_ids=endpoints)


async def alert_event(session: AsyncSession, event_type: str, alert_id: int) -> None:
    """alert.opened / alert.resolved: the alert and the detractor's response."""
    endpoints = await targets(session, event_type)
    if not endpoints:
        return
    alert = await session.get(Alert, alert_id, populate_existing=True)
    if alert is None:
        return
    response = await response_feed.describe(session, alert.response_id)
    if response is None:
        return
    data = {
        "alert_id": alert.id,
        "status": alert.status,
        "opened_at": response_feed.iso(alert.created_at),
        "resolved_at": response_feed.iso(alert.resolved_at),
        "resolved_by": alert.resolved_by,
        **response,
    }
    await enqueue(session, event_type, data, partner_id=response["partner_id"], endpoint_ids=endpoints)


async def partner_event(
    session: AsyncSession, event_type: str, partner_id: int, external_id: str | None
) -> None:
    """partner.opted_out / partner.erased: ids only."""
    endpoints = await targets(session, event_type)
    if endpoints:
        data = {"partner_id": partner_id, "external_id": external_id}
        await enqueue(session, event_type, data, partner_id=partner_id, endpoint_ids=endpoints)


async def scrub_partner(session: AsyncSession, partner_id: int) -> int:
    """Blank an erased partner's text in every event not delivered yet; returns rows changed.

    Comment and themes go (and the CRM id from all but partner.erased itself); the events stay,
    so the receiver still learns what happened, in order.
    """
    rows = (
        await session.execute(
            select(HookDelivery.id, HookDelivery.payload).where(
                HookDelivery.partner_id == partner_id,
                HookDelivery.status.in_((h.PENDING, h.SENDING)),
            )
        )
    ).all()
    changed = 0
    for rid, payload in rows:
        event = orjson.loads(payload)
        data = event.get("data") or {}
        before = dict(data)
        for key in ("comment", "external_id"):
            if key in data:
                data[key] = None
        if "themes" in data:
            data["themes"] = []
        if data != before:
            event["data"] = data
            await session.execute(
                update(HookDelivery)
                .where(HookDelivery.id == rid)
                .values(payload=orjson.dumps(event).decode())
            )
            changed += 1
    return changed


async def partner_erased(session: AsyncSession, partner_id: int, external_id: str | None) -> None:
    """Scrub the partner's queued text, then queue partner.erased after their other events."""
    await scrub_partner(session, partner_id)
    await partner_event(session, PARTNER_ERASED, partner_id, external_id)


async def campaign_closed(session: AsyncSession, campaign_id: int) -> None:
    """campaign.closed with the campaign's figures (the NPS /nps shows for it)."""
    endpoints = await targets(session, CAMPAIGN_CLOSED)
    if not endpoints:
        return
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        return
    figure = await nps_for(session, campaign_id=campaign_id)
    data = {
        "campaign_id": campaign.id,
        "campaign": campaign.title,
        "kind": campaign.kind,
        "launched_at": response_feed.iso(campaign.launched_at),
        "closed_at": response_feed.iso(campaign.closed_at),
        "figures": figures(figure),
    }
    await enqueue(session, CAMPAIGN_CLOSED, data, partner_id=None, endpoint_ids=endpoints)


def figures(figure: Any) -> dict[str, Any]:
    """An NpsResult as JSON: counts, NPS and its 95% margin (points, one decimal)."""
    return {
        "responses": figure.n,
        "promoters": figure.promoters,
        "passives": figure.passives,
        "detractors": figure.detractors,
        "nps": None if figure.nps is None else round(figure.nps, 1),
        "margin": None if figure.margin is None else round(figure.margin, 1),
    }

"""The read API: answers, NPS and campaigns for the program's own systems (CRM, BI).

- ``GET /api/v1/responses?since=<ISO time>&cursor=<opaque>``: responses in the order they last
  changed (``updated_at``, then id), pages of 1,000, newest changes last. Each page gives
  ``next_cursor``; asking again with it returns only what changed after that page, so a
  client that keeps its cursor sees every change once (a response changed again comes again,
  further on). Changes of the last SETTLE seconds are left for the next call: a transaction
  stamped earlier may still be committing, and a cursor must never step over it. An erased
  partner's comment and CRM id are blank.
- ``GET /api/v1/nps?campaign=<id>&segment=<name>``: the figures ``/nps`` shows, from the same
  query (storage.analytics.report.current_nps).
- ``GET /api/v1/campaigns``: every campaign with its status, dates, delivery counts, answers
  and NPS.
- ``GET /api/v1/openapi.json``: the hand-written OpenAPI 3.1 description of the whole API.

All behind bot/web/auth.py (Bearer API_TOKEN), like every ``/api/v1`` route but the description,
which holds no data and is served without the token.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bot.services import Services
from bot.web.keys import CLOCK, SERVICES
from storage.analytics.report import current_nps
from storage.ids import parse_id
from storage.models import Campaign
from storage.repo import campaigns, response_feed
from storage.repo.hook_events import figures

SETTLE = timedelta(seconds=5)
OPENAPI = Path(__file__).with_name("openapi.json")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def encode_cursor(at: datetime, response_id: int) -> str:
    """An opaque cursor for the position after (``at``, ``response_id``)."""
    raw = f"{at.astimezone(UTC).isoformat()}|{response_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor stands for; ValueError when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, _, id_text = raw.partition("|")
        at = datetime.fromisoformat(at_text)
        rid = parse_id(id_text, allow_hash=False)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(cursor) from None
    if rid is None or at.tzinfo is None:
        raise ValueError(cursor)
    return at, rid


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (``Z`` or an offset; a bare date or naive time is UTC)."""
    # A "+" offset arrives as a space when the client did not encode it.
    value = datetime.fromisoformat(text.strip().replace(" ", "+"))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def responses(request: web.Request) -> web.StreamResponse:
    """A page of responses by last change; see the module docstring."""
    services = request.app[SERVICES]
    after: tuple[datetime, int] | None = None
    since: datetime | None = None
    cursor = request.query.get("cursor")
    if cursor:
        try:
            after = decode_cursor(cursor)
        except ValueError:
            return _error(400, "cursor is not one this API gave out")
    elif request.query.get("since"):
        try:
            since = parse_time(request.query["since"])
        except ValueError:
            return _error(400, "since must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z")
    until = request.app[CLOCK]() - SETTLE
    async with services.reports() as session:
        page = await response_feed.changes(session, after=after, since=since, until=until)
    nxt = page.after
    if nxt is None and since is not None:  # nothing yet: continue from where we looked
        nxt = (since, 0)
    next_cursor = encode_cursor(*nxt) if nxt is not None else None
    return web.json_response(
        {"data": page.items, "next_cursor": next_cursor, "has_more": len(page.items) >= response_feed.PAGE}
    )


async def nps(request: web.Request) -> web.StreamResponse:
    """The figures /nps shows (of one campaign and one segment when asked)."""
    services = request.app[SERVICES]
    campaign_id: int | None = None
    if request.query.get("campaign"):
        campaign_id = parse_id(request.query["campaign"])
        if campaign_id is None:
            return _error(400, "campaign must be a campaign id")
    segment = (request.query.get("segment") or "").strip() or None
    async with services.reports() as session:
        figure = await current_nps(session, segment, campaign_id=campaign_id)
    if figure is None:
        if campaign_id is not None:
            return _error(404, f"no campaign {campaign_id}")
        return web.json_response({"campaign": None, "segment": segment, "figures": figures_none()})
    min_group = services.settings.min_group_size
    vs = figure.vs_previous
    body: dict[str, Any] = {
        "campaign": {
            "id": figure.campaign.id,
            "title": figure.campaign.title,
            "kind": figure.campaign.kind,
            "status": figure.campaign.status,
        },
        "segment": segment,
        "figures": figures(figure.nps),
        # /nps withholds a segment's figure below MIN_GROUP_SIZE answers; the API says so.
        "small_sample": segment is not None and figure.nps.n < min_group,
        "vs_previous": None
        if vs is None
        else {
            "campaign": vs.label,
            "figures": figures(vs.previous),
            "delta": None if vs.change.delta is None else round(vs.change.delta, 1),
            "significant": vs.change.significant,
        },
    }
    return web.json_response(body)


def figures_none() -> dict[str, Any]:
    """Figures of no answers."""
    return {"responses": 0, "promoters": 0, "passives": 0, "detractors": 0, "nps": None, "margin": None}


async def campaigns_list(request: web.Request) -> web.StreamResponse:
    """Every campaign, newest first, with its figures."""
    services = request.app[SERVICES]
    async with services.reports() as session:
        rows = (await session.scalars(select(Campaign).order_by(Campaign.id.desc()))).all()
        info = [(r.id, r.title, r.kind, r.status, r.launched_at, r.closed_at, r.created_at) for r in rows]
        stats = await campaigns.stats(session, [r[0] for r in info])
    out = []
    for cid, title, kind, status, launched, closed, created in info:
        s = stats.get(cid)
        out.append(
            {
                "id": cid,
                "title": title,
                "kind": kind,
                "status": status,
                "created_at": response_feed.iso(created),
                "launched_at": response_feed.iso(launched),
                "closed_at": response_feed.iso(closed),
                "invited": s.counts.sent if s else 0,
                "responses": s.responded if s else 0,
                "response_rate": None if s is None or s.response_rate is None else round(s.response_rate, 4),
                "nps": None if s is None or s.nps is None else round(s.nps, 1),
            }
        )
    return web.json_response({"data": out})


async def openapi(request: web.Request) -> web.StreamResponse:
    """The OpenAPI 3.1 description."""
    return web.json_response(json.loads(OPENAPI.read_text(encoding="utf-8")))


def add_routes(app: web.Application, services: Services) -> None:
    """Mount the read API."""
    del services  # handlers take it from the app
    app.router.add_get("/api/v1/responses", responses)
    app.router.add_get("/api/v1/nps", nps)
    app.router.add_get("/api/v1/campaigns", campaigns_list)
    app.router.add_get("/api/v1/openapi.json", openapi)

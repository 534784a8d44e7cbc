"""``POST /api/v1/partners``, ``POST /api/v1/metrics`` and ``GET /api/v1/retention`` (issue 24).

The imports run the same operations and rules as /import and ``nps-bot import-*``
(storage/repo/imports.py). A body is refused whole, with nothing written, when it is not a JSON
array (400) or holds more than :data:`MAX_ITEMS` items or :data:`MAX_BYTES` bytes (413); otherwise
good items are applied and each bad one is reported with its index and reason (200).
Amounts are read as decimals (never through a float).
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from aiohttp import web

from bot.i18n import Translate
from bot.services import Services
from bot.web.keys import CLOCK, SERVICES
from storage.analytics import retention
from storage.repo import imports
from storage.repo.partner_import import ImportReport

log = logging.getLogger(__name__)

MAX_ITEMS = 10_000
MAX_BYTES = 5 * 1024 * 1024


class BodyRefused(Exception):
    """The request body as a whole cannot be imported: ``status`` and ``error`` say why."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def add_routes(app: web.Application, services: Services) -> None:
    """The import and retention routes."""
    app.router.add_post("/api/v1/partners", post_partners)
    app.router.add_post("/api/v1/metrics", post_metrics)
    app.router.add_get("/api/v1/retention", get_retention)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


async def json_array(request: web.Request) -> list[Any]:
    """The body's JSON array, or BodyRefused (400 or 413) before anything is written."""
    if request.content_length is not None and request.content_length > MAX_BYTES:
        raise BodyRefused(413, f"the body is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BodyRefused(413, f"the body is larger than {MAX_BYTES // (1024 * 1024)} MB") from None
    if len(body) > MAX_BYTES:
        raise BodyRefused(413, f"the body is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        items = json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError included
        raise BodyRefused(400, f"malformed JSON: {exc}") from None
    if not isinstance(items, list):
        raise BodyRefused(400, "the body must be a JSON array")
    if len(items) > MAX_ITEMS:
        raise BodyRefused(413, f"more than {MAX_ITEMS} items; send them in several requests")
    return items


def report_json(report: ImportReport, _: Translate) -> dict[str, Any]:
    """``{"created", "updated", "unchanged", "rejected": [{"index", "reason"}]}``."""
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": [
            {"index": r.line, "reason": _(f"import-reason-{r.reason}", value=r.value)}
            for r in report.rejected
        ],
    }


async def post_partners(request: web.Request) -> web.StreamResponse:
    """Upsert partners by external_id."""
    services = request.app[SERVICES]
    try:
        items = await json_array(request)
    except BodyRefused as exc:
        return web.json_response({"error": exc.error}, status=exc.status)
    report = await imports.import_partner_items(services.sessionmaker, items)
    log.info("API partner import: %d created, %d updated, %d unchanged, %d rejected",
             report.created, report.updated, report.unchanged, len(report.rejected))  # fmt: skip
    return web.json_response(report_json(report, services.translator.bind("en")))


async def post_metrics(request: web.Request) -> web.StreamResponse:
    """Upsert monthly KPIs by (external_id, period)."""
    services = request.app[SERVICES]
    try:
        items = await json_array(request)
    except BodyRefused as exc:
        return web.json_response({"error": exc.error}, status=exc.status)
    day = imports.today(request.app[CLOCK](), services.settings.tz)
    report = await imports.import_metric_items(services.sessionmaker, items, day)
    log.info("API KPI import: %d created, %d updated, %d unchanged, %d rejected",
             report.created, report.updated, report.unchanged, len(report.rejected))  # fmt: skip
    return web.json_response(report_json(report, services.translator.bind("en")))


async def get_retention(request: web.Request) -> web.StreamResponse:
    """One campaign's retention table (storage/analytics/retention.py)."""
    services = request.app[SERVICES]
    raw = request.query.get("campaign", "")
    if not raw.isdigit() or len(raw) > 18:
        return web.json_response({"error": "campaign must be a campaign id (a whole number)"}, status=400)
    async with services.reports() as session:
        result = await retention.retention(session, int(raw), services.settings.tz)
    if result is None:
        return web.json_response({"error": f"no campaign {int(raw)}"}, status=404)
    return web.json_response(retention.as_json(result))

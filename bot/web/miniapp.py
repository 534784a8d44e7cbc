"""The managers' dashboard: a Telegram Mini App at ``PUBLIC_URL + /app/`` and its data endpoints.

The page and its static files carry nothing of the program and are served to anyone. Every
data request under ``/app/api/`` must carry ``Authorization: tma <initData>`` (bot/web/tma.py):
401 for a missing, bad or stale signature, 403 for a genuine user who is neither an admin nor a
member of the managers' chat; both answers say nothing of the program. What the views show comes
from bot/web/miniapp_data.py (the digest's own queries); Resolve is the chat button's operation.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import operations
from bot.i18n import Translate
from bot.services import Services
from bot.web import miniapp_data as data
from bot.web.keys import CLOCK
from bot.web.tma import Membership, Unauthorized, Viewer, check_init_data, init_data_of
from storage.analytics.campaigns import CampaignInfo
from storage.analytics.comment_list import DRIVER, THEME, comments_about
from storage.analytics.key_partners import key_partners
from storage.ids import parse_id, parse_int
from storage.models import utcnow
from storage.repo import alerts

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
PREFIX = "/app"
ALERTS_LISTED = 50
MAX_PAGE = 10_000
# The page and its scripts come from us only; Telegram's script included (vendored).
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class MiniApp:
    """The Mini App's parts kept on the aiohttp app; ``clock`` is the app's (tests move it)."""

    services: Services
    clock: Callable[[], datetime] = utcnow
    membership: Membership = field(init=False)

    def __post_init__(self) -> None:
        self.membership = Membership(self.services, self.clock)


MINIAPP = web.AppKey("miniapp", MiniApp)
Handler = Callable[[web.Request, MiniApp, Viewer, Translate], Awaitable[web.StreamResponse]]


def add_routes(app: web.Application, services: Services) -> None:
    """The page at /app/, its static files, and the data endpoints under /app/api/."""
    state = MiniApp(services, app.get(CLOCK, utcnow))
    app[MINIAPP] = state
    app.router.add_get(PREFIX, _to_slash)
    app.router.add_get(PREFIX + "/", _index)
    app.router.add_static(PREFIX + "/static", STATIC, append_version=False)
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/api/me", _me),
        ("GET", "/api/campaigns", _campaigns),
        ("GET", "/api/overview", _overview),
        ("GET", "/api/drivers", _drivers),
        ("GET", "/api/breakdown", _breakdown),
        ("GET", "/api/comments", _comments),
        ("GET", "/api/alerts", _alerts),
        ("POST", "/api/alerts/{alert_id}/resolve", _resolve),
        ("GET", "/api/kpi", _kpi),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, PREFIX + path, _guarded(handler))


async def _to_slash(request: web.Request) -> web.StreamResponse:
    """/app → /app/ (the page's relative paths need the slash)."""
    raise web.HTTPFound(PREFIX + "/" + (f"?{request.query_string}" if request.query_string else ""))


async def _index(request: web.Request) -> web.StreamResponse:
    """The page itself: no data in it, so no check here."""
    return web.FileResponse(STATIC / "index.html", headers=HEADERS)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=HEADERS)


def _guarded(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def guarded(request: web.Request) -> web.StreamResponse:
        state = request.app[MINIAPP]
        settings = state.services.settings
        try:
            viewer = check_init_data(
                settings.bot_token.get_secret_value(),
                init_data_of(request.headers.get("Authorization")),
                now=state.clock(),
                default_locale=settings.default_locale,
            )
        except Unauthorized as exc:
            log.info("Mini App request refused (401): %s", exc)
            return _error(401, "unauthorized")
        if not await state.membership.allows(viewer.user_id):
            log.info("Mini App request refused (403) for user %s", viewer.user_id)
            return _error(403, "forbidden")
        _ = state.services.translator.bind(viewer.language)
        response = await handler(request, state, viewer, _)
        response.headers.update(HEADERS)
        return response

    return guarded


def _campaign_arg(request: web.Request) -> int | web.Response | None:
    raw = request.query.get("campaign")
    if raw is None or raw == "":
        return None
    parsed = parse_id(raw)
    return parsed if parsed is not None else _error(400, "campaign must be a campaign id")


async def _chosen(request: web.Request, session: AsyncSession) -> CampaignInfo | web.Response | None:
    """The campaign a view asks for (``?campaign=``, else the current one); None when the program
    has none yet; a 400/404 answer for a bad or unknown id."""
    arg = _campaign_arg(request)
    if isinstance(arg, web.Response):
        return arg
    campaign = await data.campaign_or_current(session, arg)
    if campaign is None and arg is not None:
        return _error(404, "unknown campaign")
    return campaign


async def _me(request: web.Request, state: MiniApp, viewer: Viewer, _: Translate) -> web.StreamResponse:
    """Who is looking and how the program is set up (no figures)."""
    settings = state.services.settings
    return web.json_response(
        {
            "user": {"id": viewer.user_id, "name": viewer.name, "language": viewer.language},
            "admin": settings.is_admin(viewer.user_id),
            "anonymous": settings.anonymous_digests,
            "min_group_size": settings.min_group_size,
            "dimensions": list(data.BREAKDOWN_DIMENSIONS),
        }
    )


async def _campaigns(
    request: web.Request, state: MiniApp, viewer: Viewer, _: Translate
) -> web.StreamResponse:
    """The campaign picker."""
    async with state.services.reports() as session:
        return web.json_response(await data.campaigns(session))


async def _overview(request: web.Request, state: MiniApp, viewer: Viewer, _: Translate) -> web.StreamResponse:
    """NPS with margin and n, and the trend of a campaign (the current by default)."""
    services = state.services
    async with services.reports() as session:
        campaign = await _chosen(request, session)
    if isinstance(campaign, web.Response):
        return campaign
    if campaign is None:
        return web.json_response({"campaign": None})  # a new program: nothing answered yet
    body = await data.overview(services.reports, campaign.id, services.settings, viewer.language)
    if body is None:
        return _error(404, "unknown campaign")
    return web.json_response(body)


async def _drivers(request: web.Request, state: MiniApp, viewer: Viewer, _: Translate) -> web.StreamResponse:
    """Driver areas and comment themes of a campaign (the current by default)."""
    services = state.services
    async with services.reports() as session:
        campaign = await _chosen(request, session)
    if isinstance(campaign, web.Response):
        return campaign
    if campaign is None:
        return web.json_response({"campaign": None})
    body = await data.drivers(services.reports, campaign.id, services.settings, _, viewer.language)
    if body is None:
        return _error(404, "unknown campaign")
    return web.json_response(body)


async def _breakdown(
    request: web.Request, state: MiniApp, viewer: Viewer, _: Translate
) -> web.StreamResponse:
    """One dimension's groups with the change against the previous campaign."""
    dimension = request.query.get("dimension", "segment")
    if dimension not in data.BREAKDOWN_DIMENSIONS:
        return _error(400, f"dimension must be one of {', '.join(data.BREAKDOWN_DIMENSIONS)}")
    settings = state.services.settings
    async with state.services.reports() as session:
        campaign = await _chosen(request, session)
        if isinstance(campaign, web.Response):
            return campaign
        if campaign is None:
            return web.json_response({"groups": []})
        body = await data.breakdown_view(
            session, campaign, dimension, settings.min_group_size, _, viewer.language
        )
    return web.json_response(body)


async def _comments(request: web.Request, state: MiniApp, viewer: Viewer, _: Translate) -> web.StreamResponse:
    """A page of the comments behind a driver or a theme, newest first."""
    campaign_id = parse_id(request.query.get("campaign"))
    kind = request.query.get("kind", "")
    area = request.query.get("area", "")
    page = parse_int(request.query.get("page") or "0", 0, MAX_PAGE)
    if campaign_id is None or kind not in (DRIVER, THEME) or not area or len(area) > 64 or page is None:
        return _error(400, "campaign, kind (driver or theme), area and page are required")
    async with state.services.reports() as session:
        if await data.campaign_or_current(session, campaign_id) is None:
            return _error(404, "unknown campaign")
        found = await comments_about(session, campaign_id, kind, area, page=page)
    anonymous = state.services.settings.anonymous_digests
    return web.json_response(data.comments_json(found, page, anonymous, _))


async def _alerts(request: web.Request, state: MiniApp, viewer: Viewer, _: Translate) -> web.StreamResponse:
    """Open detractor alerts (key partners first once their figures exist)."""
    async with state.services.sessionmaker() as session:
        key = (await key_partners(session)).ids
        views, total = await alerts.open_alerts(session, limit=ALERTS_LISTED, first=key)  # as /alerts
    listed = [data.alert_json(v, _, key=v.partner.partner_id in key) for v in views]
    return web.json_response({"total": total, "alerts": listed})


async def _resolve(request: web.Request, state: MiniApp, viewer: Viewer, _: Translate) -> web.StreamResponse:
    """Resolve an alert: the same operation as the chat's Resolved button."""
    alert_id = parse_id(request.match_info["alert_id"])
    if alert_id is None:
        return _error(404, "unknown alert")
    async with state.services.sessionmaker() as session:
        outcome = await operations.resolve_alert(
            state.services, session, alert_id, viewer.user_id, viewer.name
        )
    if outcome is operations.ResolveOutcome.UNKNOWN:
        return _error(404, "unknown alert")
    if outcome is operations.ResolveOutcome.ALREADY:
        return _error(409, "already resolved")
    return web.json_response({"ok": True, "id": alert_id})


async def _kpi(request: web.Request, state: MiniApp, viewer: Viewer, _: Translate) -> web.StreamResponse:
    """Churn and revenue by NPS category (the retention API's figures) and the key partners."""
    settings = state.services.settings
    async with state.services.reports() as session:
        campaign = await _chosen(request, session)
        if isinstance(campaign, web.Response):
            return campaign
        if campaign is None:
            return web.json_response({"available": False})
        body = await data.kpi_view(session, campaign.id, settings.tz, viewer.language)
    return web.json_response(body)

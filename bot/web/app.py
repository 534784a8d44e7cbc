"""The one aiohttp application every role serves: health checks, then each feature's routes.

``/healthz``: the process is alive; ``/readyz``: the database answers and its schema is at the
migrations' head. Both are unauthenticated. ``/api/v1/*`` goes through bot/web/auth.py (Bearer
``API_TOKEN``). Feature modules add their routes with ``add_routes(app, services)``; the webhook
receiver (bot/roles/web.py) adds Telegram's POST route to this same app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.services import Services
from bot.web import api_import, api_read, miniapp
from bot.web.auth import api_auth_middleware
from bot.web.keys import CLOCK, HEADS, SERVICES
from storage.health import migration_heads, schema_revisions
from storage.models import utcnow

# The largest body any route accepts (the import API's 5 MB); routes with less check their own.
MAX_BODY = 5 * 1024 * 1024

# Each feature module's add_routes(app, services); issues 27 and 28 add theirs here.
FEATURES: tuple[Callable[[web.Application, Services], None], ...] = (
    api_import.add_routes,
    miniapp.add_routes,
    api_read.add_routes,
)


def create_web_app(services: Services, *, clock: Callable[[], datetime] = utcnow) -> web.Application:
    """The HTTP application: /healthz, /readyz and every feature's routes (``clock``: tests move it)."""
    settings = services.settings
    token = settings.api_token.get_secret_value() if settings.api_token is not None else None
    app = web.Application(client_max_size=MAX_BODY, middlewares=[api_auth_middleware(token)])
    app[SERVICES] = services
    app[CLOCK] = clock
    app[HEADS] = migration_heads()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for add_routes in FEATURES:
        add_routes(app, services)
    return app


async def healthz(request: web.Request) -> web.StreamResponse:
    """The process is alive."""
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.StreamResponse:
    """The database answers and its schema is at the migrations' head."""
    try:
        async with request.app[SERVICES].sessionmaker() as session:
            revisions = await schema_revisions(session)
    except SQLAlchemyError as exc:
        return web.json_response({"ok": False, "database": type(exc).__name__}, status=503)
    heads = request.app[HEADS]
    if revisions != heads:
        return web.json_response(
            {"ok": False, "schema": sorted(revisions), "expected": sorted(heads)}, status=503
        )
    return web.json_response({"ok": True})

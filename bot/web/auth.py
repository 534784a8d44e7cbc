"""``/api/v1/*`` needs ``Authorization: Bearer <API_TOKEN>``: one check, for every API module.

Compared in constant time (hmac.compare_digest). A refused request gets 401 and a JSON
``{"error": "..."}`` before any handler runs, so nothing is read or written. Without
``API_TOKEN`` the API is off: every ``/api/v1/*`` path answers 404 saying so.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:  # annotations only: the names moved between aiohttp releases
    from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
# Open without the token: the API's description holds no data, and clients' tooling (code
# generators, Swagger UI) fetches it before any credentials are configured.
PUBLIC = frozenset({"/api/v1/openapi.json"})


def bearer_token(request: web.Request) -> bytes | None:
    """The token of an ``Authorization: Bearer ...`` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip().encode()


def api_auth_middleware(api_token: str | None) -> Middleware:
    """The middleware guarding ``/api/v1/*`` with ``api_token`` (None: the API is off)."""
    expected = api_token.encode() if api_token else None

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        if expected is None:
            return web.json_response({"error": "the API is off: set API_TOKEN to enable it"}, status=404)
        if request.path in PUBLIC:
            return await handler(request)
        given = bearer_token(request)
        if given is None or not hmac.compare_digest(given, expected):
            log.warning("API request from %s refused: wrong or missing token", request.remote)
            return web.json_response(
                {"error": "unauthorized: send Authorization: Bearer <API_TOKEN>"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await handler(request)

    return check

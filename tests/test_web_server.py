"""The HTTP server: one app with /healthz, /readyz and the Bearer-guarded /api/v1, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.config import load_common_settings
from bot.web.app import create_web_app
from bot.web.server import WebServer
from storage.models import Partner
from tests.conftest import MakeApp
from tests.web_helpers import API_TOKEN, web_services

ECHO = "/api/v1/echo-for-test"


async def _echo(request: web.Request) -> web.StreamResponse:
    return web.json_response({"ok": True})


@pytest.fixture
async def base(db: Any, db_url: str) -> AsyncIterator[str]:
    async with web_services(db_url) as services:
        app = create_web_app(services)
        app.router.add_get(ECHO, _echo)  # a route behind the guard, without any side effect
        server = WebServer(app, "127.0.0.1", 0)
        await server.start()
        try:
            yield f"http://127.0.0.1:{server.port}"
        finally:
            await server.stop()


async def test_api_needs_the_bearer_token_and_health_checks_do_not(base: str) -> None:
    async with aiohttp.ClientSession() as http:
        for headers in (
            {},
            {"Authorization": "Bearer wrong-token-of-some-length"},
            {"Authorization": f"Bearer {API_TOKEN[:-1]}"},
            {"Authorization": f"Basic {API_TOKEN}"},
            {"Authorization": API_TOKEN},
            {"Authorization": "Bearer "},
        ):
            async with http.get(base + ECHO, headers=headers) as resp:
                assert resp.status == 401
                assert "error" in await resp.json()
        async with http.get(base + ECHO, headers={"Authorization": f"Bearer {API_TOKEN}"}) as resp:
            assert resp.status == 200
            assert await resp.json() == {"ok": True}
        for path in ("/healthz", "/readyz"):
            async with http.get(base + path) as resp:
                assert resp.status == 200, path


async def test_a_refused_import_writes_nothing(base: str, db: Any) -> None:
    body = [{"external_id": "p-1", "name": "Alpha"}]
    async with aiohttp.ClientSession() as http:
        async with http.post(base + "/api/v1/partners", json=body) as resp:
            assert resp.status == 401
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Partner)) == 0


async def test_run_serves_the_app_beside_polling_when_api_token_is_set(make_app: MakeApp) -> None:
    app = await make_app(api_token=API_TOKEN, web_host="127.0.0.1", web_port=0)
    assert app.web is not None
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{app.web.port}/readyz") as resp:
            assert resp.status == 200
        async with http.get(f"http://127.0.0.1:{app.web.port}/api/v1/metrics") as resp:
            assert resp.status == 401


async def test_run_without_api_token_serves_nothing(make_app: MakeApp) -> None:
    app = await make_app()
    assert app.web is None


def test_api_token_must_be_long_enough() -> None:
    from bot.config import SettingsError

    with pytest.raises(SettingsError, match="API_TOKEN"):
        load_common_settings(_env_file=None, api_token="short")
    settings = load_common_settings(_env_file=None, api_token=API_TOKEN)
    assert settings.api_token is not None
    assert API_TOKEN not in repr(settings)

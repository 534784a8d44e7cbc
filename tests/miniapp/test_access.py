"""Who gets the Mini App's data: 401 without genuine fresh initData, 403 for anyone but admins
and managers; a manager who leaves the group loses access within the membership cache time."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from bot.app import App
from bot.web.tma import MEMBERSHIP_TTL
from storage.models import utcnow
from tests.conftest import MakeApp
from tests.fakebot import FakeTelegram
from tests.helpers import ADMIN_ID, MANAGER_CHAT_ID, MANAGER_ID, TOKEN
from tests.miniapp.signing import in_group, sign_init_data, user
from tests.miniapp.webapp import Clock, serving

pytestmark = pytest.mark.asyncio

STRANGER = 555_001


async def _get(url: str, init_data: str | None) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"tma {init_data}"} if init_data is not None else {}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.json()


async def test_401_for_bad_signature_403_for_strangers_200_for_managers(app: App, tg: FakeTelegram) -> None:
    clock = Clock(utcnow())
    in_group(tg, MANAGER_ID)
    now = int(clock.now.timestamp())
    async with serving(app, clock) as server:
        url = str(server.make_url("/app/api/overview"))
        forged = sign_init_data("654321:OTHER-token-secret-abcdef", user(MANAGER_ID), now)
        stale = sign_init_data(TOKEN, user(MANAGER_ID), now - 25 * 3600)
        for init_data in (None, forged, stale, "user=1&auth_date=1"):
            status, body = await _get(url, init_data)
            assert (status, body) == (401, {"error": "unauthorized"})
        status, body = await _get(url, sign_init_data(TOKEN, user(STRANGER), now))
        assert (status, body) == (403, {"error": "forbidden"})
        for who in (MANAGER_ID, ADMIN_ID):
            status, body = await _get(url, sign_init_data(TOKEN, user(who), now))
            assert status == 200 and body == {"campaign": None}  # a new program: nothing yet
        # The page itself carries nothing of the program and needs no initData.
        async with aiohttp.ClientSession() as http, http.get(server.make_url("/app/")) as page:
            assert page.status == 200 and "telegram-web-app.js" in await page.text()
            assert "'self'" in page.headers["Content-Security-Policy"]


async def test_a_manager_who_left_loses_access_within_the_cache_time(app: App, tg: FakeTelegram) -> None:
    clock = Clock(utcnow())
    in_group(tg, MANAGER_ID)
    async with serving(app, clock) as server:
        url = str(server.make_url("/app/api/campaigns"))
        signed = sign_init_data(TOKEN, user(MANAGER_ID), int(clock.now.timestamp()))
        assert (await _get(url, signed))[0] == 200
        asked = len(tg.calls_for("getChatMember"))
        tg.store.members[(MANAGER_CHAT_ID, MANAGER_ID)] = "left"
        clock.now += MEMBERSHIP_TTL - timedelta(seconds=1)
        assert (await _get(url, signed))[0] == 200  # Telegram not asked again within the minute
        assert len(tg.calls_for("getChatMember")) == asked
        clock.now += timedelta(seconds=2)
        assert (await _get(url, signed)) == (403, {"error": "forbidden"})


async def test_run_serves_the_dashboard_when_public_url_is_set(make_app: MakeApp) -> None:
    app = await make_app(public_url="http://127.0.0.1", web_host="127.0.0.1", web_port=0)
    assert app.web is not None
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{app.web.port}/app/") as page:
            assert page.status == 200 and "static/app.js" in await page.text()
        async with http.get(f"http://127.0.0.1:{app.web.port}/app/static/telegram-web-app.js") as script:
            assert script.status == 200 and "Telegram.WebApp" in await script.text()
        async with http.get(f"http://127.0.0.1:{app.web.port}/api/v1/metrics") as api:
            assert api.status == 404  # the data API stays off without API_TOKEN

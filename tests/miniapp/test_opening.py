"""Opening the dashboard: /dashboard in the group (direct link), in a private chat (web_app button
and menu button), without PUBLIC_URL (one line on how to enable it); digests and alerts carry it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.digest.alerts import deliver
from bot.digest.deliver import push_weekly
from storage.models import Response
from storage.repo import alerts
from tests.conftest import MakeApp
from tests.e2e.test_manager import _seed
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import ADMIN_ID, BOT_USERNAME, MANAGER_CHAT_ID, MANAGER_ID
from tests.miniapp.conftest import NO_ALERT_JOB
from tests.miniapp.signing import in_group

pytestmark = pytest.mark.asyncio

PUBLIC = {"public_url": "https://nps.example.com/", "miniapp_name": "dash", **NO_ALERT_JOB}


def _button(message: dict[str, Any], row: int = -1) -> dict[str, Any]:
    return dict(message["reply_markup"]["inline_keyboard"][row][0])


async def test_without_public_url_one_line_says_how(make_app: MakeApp, tg: FakeTelegram) -> None:
    await make_app()
    manager = in_group(tg, MANAGER_ID)
    await manager.send_text("/dashboard")
    reply = await manager.wait_reply()
    assert "PUBLIC_URL" in reply["text"] and "\n" not in reply["text"] and "reply_markup" not in reply


async def test_group_gets_the_direct_link_private_chat_the_web_app(
    make_app: MakeApp, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    app = await make_app(**PUBLIC)
    manager = in_group(tg, MANAGER_ID)
    await manager.send_text("/dashboard")
    button = _button(await manager.wait_reply())
    assert button["url"] == f"https://t.me/{BOT_USERNAME}/dash?startapp=overview" and "web_app" not in button

    admin = SimUser(tg, user_id=ADMIN_ID, first_name="Admin", language_code="ru")
    await admin.send_text("/dashboard")
    button = _button(await admin.wait_reply())
    assert button["web_app"]["url"] == "https://nps.example.com/app/?view=overview"
    menu = tg.calls_for("setChatMenuButton")
    assert menu and menu[-1].params["chat_id"] in (ADMIN_ID, str(ADMIN_ID))
    assert "nps.example.com/app/" in str(menu[-1].params["menu_button"])

    partner = make_user(7101)
    await partner.send_text("/dashboard")
    assert "для менеджеров" in (await partner.wait_reply())["text"]

    await _seed(app)
    await push_weekly(app.services)
    digest = [m for m in tg.calls_for("sendMessage", MANAGER_CHAT_ID) if m.params.get("reply_markup")]
    assert "startapp=c" in str(digest[-1].params["reply_markup"])
    async with app.services.sessionmaker() as s:
        response_id = await s.scalar(select(Response.id).where(Response.score <= 6).limit(1))
        assert response_id is not None
        alert_id = await alerts.claim(s, response_id)
        await s.commit()
    assert alert_id is not None and await deliver(app.services, alert_id)
    posted = tg.calls_for("sendMessage", MANAGER_CHAT_ID)[-1].params["reply_markup"]
    assert "startapp=alerts" in str(posted) and "callback_data" in str(posted)

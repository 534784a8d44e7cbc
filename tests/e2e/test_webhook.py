"""Webhook mode: the secret, journal before 200, replicas behind a load balancer, health checks."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
from sqlalchemy import func, select, text

from bot.app import App
from bot.roles.web import SECRET_HEADER, WebhookReceiver
from storage.models import InboxUpdate
from tests.conftest import MakeApp
from tests.fakebot import FakeTelegram, SimUser

SECRET = "s3cret-Token_1"
WEBHOOK: dict[str, Any] = {
    "webhook_url": "https://bot.example.test/tg/hook",
    "webhook_secret": SECRET,
    "web_host": "127.0.0.1",
    "web_port": 0,
}
Q1 = "Насколько вероятно"
Q2 = "Что вы больше всего цените"


def replica(app: App) -> str:
    assert isinstance(app.receiver, WebhookReceiver)
    return f"http://127.0.0.1:{app.receiver.port}"


async def journaled(app: App) -> int:
    async with app.services.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


def message_update(update_id: int, user_id: int, text_: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "P", "language_code": "ru"}
    chat = {"id": user_id, "type": "private", "first_name": "P"}
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "date": 1_700_000_000, "chat": chat, "from": user, "text": text_},
    }


async def test_a_request_without_the_right_secret_is_refused_and_writes_nothing(
    tg: FakeTelegram, make_app: MakeApp, make_user: Any
) -> None:
    app = await make_app(**WEBHOOK)
    user: SimUser = make_user(7_600_001)
    url = replica(app) + "/tg/hook"
    update = message_update(9_000_001, user.user_id, "/help")
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}, {SECRET_HEADER: ""}):
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 401
        assert await journaled(app) == 0
        async with http.post(url, data=b"not json", headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 400
        async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 200
        # 200 came after the commit: the row is there as soon as the answer is.
        assert await journaled(app) == 1
    await user.wait_text("/survey")
    assert len(user.messages()) == 1


async def test_webhook_is_registered_with_secret_and_pending_updates_kept(
    tg: FakeTelegram, make_app: MakeApp, make_user: Any
) -> None:
    user: SimUser = make_user(7_600_002)
    await user.send_text("/help")  # queued while the bot is down
    app = await make_app(**WEBHOOK)
    tg.webhook.targets = [replica(app)]
    await user.wait_text("/survey", timeout=10)
    call = tg.calls_for("setWebhook")[-1]
    assert call.params["url"] == WEBHOOK["webhook_url"] and call.params["secret_token"] == SECRET
    assert int(call.params["max_connections"]) >= 1
    assert "callback_query" in call.params["allowed_updates"] and "message" in call.params["allowed_updates"]
    assert tg.last_drop_pending_updates is not True
    assert not tg.calls_for("deleteWebhook") and not tg.calls_for("getUpdates")


async def test_a_dead_replica_behind_the_balancer_only_delays_updates(
    tg: FakeTelegram, make_app: MakeApp, make_user: Any
) -> None:
    app = await make_app(**WEBHOOK)
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    tg.webhook.targets = [dead, replica(app)]
    users: list[SimUser] = [make_user(7_600_300 + i) for i in range(3)]
    for user in users:
        await user.send_text("/help")
    for user in users:
        await user.wait_text("/survey", timeout=10)
    assert any(not a.ok and a.target.startswith(dead) for a in tg.webhook.attempts)
    assert await journaled(app) == 3


async def test_health_and_readiness(tg: FakeTelegram, make_app: MakeApp) -> None:
    app = await make_app(**WEBHOOK)
    async with aiohttp.ClientSession() as http:
        async with http.get(replica(app) + "/healthz") as resp:
            assert resp.status == 200
        async with http.get(replica(app) + "/readyz") as resp:
            assert resp.status == 200
        async with app.services.sessionmaker() as s:
            head = await s.scalar(text("SELECT version_num FROM alembic_version"))
            await s.execute(text("UPDATE alembic_version SET version_num = '0001'"))
            await s.commit()
        async with http.get(replica(app) + "/readyz") as resp:
            assert resp.status == 503
            assert (await resp.json())["schema"] == ["0001"]
        async with app.services.sessionmaker() as s:
            await s.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            await s.commit()
        async with http.get(replica(app) + "/readyz") as resp:
            assert resp.status == 200
    await asyncio.sleep(0)


async def test_a_failed_set_webhook_at_start_up_is_retried(
    tg: FakeTelegram, make_app: MakeApp, make_user: Any
) -> None:
    tg.inject_failure("setWebhook", "5xx", count=2)
    app = await make_app(**WEBHOOK)
    tg.webhook.targets = [replica(app)]
    await tg.wait_until(lambda: any(c.ok for c in tg.calls_for("setWebhook")), timeout=30)
    assert [c.status for c in tg.calls_for("setWebhook")] == [500, 500, 200]  # retried, not fatal
    user: SimUser = make_user(7_600_009)
    await user.send_text("/help")
    await user.wait_text("/survey", timeout=10)

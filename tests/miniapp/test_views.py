"""The Mini App's figures are the chat's figures; comments page and hide names; Resolve is the
chat button's operation (the alert in the chat loses its buttons)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import App
from bot.digest.alerts import deliver
from storage.analytics import retention
from storage.analytics.retention import campaign_month
from storage.models import Alert, Campaign, PartnerKpi, Response, utcnow
from storage.repo import alerts
from storage.repo.kpi_import import shift
from tests.conftest import MakeApp
from tests.e2e.test_manager import _seed
from tests.fakebot import FakeTelegram
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, TOKEN
from tests.miniapp.signing import in_group, sign_init_data, user
from tests.miniapp.webapp import serving

pytestmark = pytest.mark.asyncio


async def _call(url: str, init_data: str, method: str = "GET") -> tuple[int, Any]:
    headers = {"Authorization": f"tma {init_data}"}
    async with aiohttp.ClientSession() as http, http.request(method, url, headers=headers) as response:
        return response.status, await response.json()


async def test_figures_equal_the_chat_and_comments_page(app: App, tg: FakeTelegram) -> None:
    ids = await _seed(app)
    manager = in_group(tg, MANAGER_ID)
    await manager.send_text("/nps")
    said = (await manager.wait_reply())["text"]
    init_data = sign_init_data(TOKEN, user(MANAGER_ID, "ru"), int(utcnow().timestamp()))
    async with serving(app) as server:
        status, body = await _call(str(server.make_url("/app/api/overview")), init_data)
        assert status == 200 and body["campaign"]["id"] == ids["autumn"]
        assert (
            body["nps"]["shown"] == "+25"
            and f"{body['nps']['shown']} ± {body['nps']['margin_shown']}" in said
        )
        assert [p["id"] for p in body["trend"]] == [ids["spring"], ids["autumn"]]
        assert body["trend"][0]["n"] == 12 and body["vs_previous"]["label"] == "Весна"
        _, groups = await _call(str(server.make_url("/app/api/breakdown?dimension=segment")), init_data)
        named = {g["key"]: g for g in groups["groups"]}
        assert named["blog"]["n"] == 7 and named["blog"]["change"]["delta"] == 57.1  # +57.1 now, 0 in spring
        assert "tiny" not in named  # 2 answers: folded, as in the digest
        url = f"/app/api/comments?campaign={ids['autumn']}&kind=driver&area=payouts"
        _, page = await _call(str(server.make_url(url)), init_data)
        assert [c["text"] for c in page["items"]] == ["Выплаты задерживают"] * 4 and not page["more"]
        assert all(c["who"].startswith("Партнер") for c in page["items"])
        status, _ = await _call(str(server.make_url("/app/api/overview?campaign=999")), init_data)
        assert status == 404
        status, _ = await _call(str(server.make_url("/app/api/breakdown?dimension=partner")), init_data)
        assert status == 400


async def test_anonymous_digests_hide_names(make_app: MakeApp, tg: FakeTelegram) -> None:
    app = await make_app(anonymous_digests=True)
    ids = await _seed(app)
    in_group(tg, MANAGER_ID)
    init_data = sign_init_data(TOKEN, user(MANAGER_ID), int(utcnow().timestamp()))
    async with serving(app) as server:
        url = f"/app/api/comments?campaign={ids['autumn']}&kind=driver&area=payouts"
        _, page = await _call(str(server.make_url(url)), init_data)
        assert len(page["items"]) == 4 and all(c["who"] is None for c in page["items"])


async def test_resolve_is_the_chat_buttons_operation(quiet_app: App, tg: FakeTelegram) -> None:
    app = quiet_app
    await _seed(app)
    in_group(tg, MANAGER_ID)
    async with app.services.sessionmaker() as s:
        response_id = await s.scalar(select(Response.id).where(Response.score <= 6).limit(1))
        assert response_id is not None
        alert_id = await alerts.claim(s, response_id)
        await s.commit()
    assert alert_id is not None and await deliver(app.services, alert_id)
    init_data = sign_init_data(TOKEN, user(MANAGER_ID), int(utcnow().timestamp()))
    async with serving(app) as server:
        _, listed = await _call(str(server.make_url("/app/api/alerts")), init_data)
        assert [a["id"] for a in listed["alerts"]] == [alert_id]
        url = str(server.make_url(f"/app/api/alerts/{alert_id}/resolve"))
        assert await _call(url, init_data, "POST") == (200, {"ok": True, "id": alert_id})
        assert (await _call(url, init_data, "POST"))[0] == 409
        _, listed = await _call(str(server.make_url("/app/api/alerts")), init_data)
        assert listed["alerts"] == []
    async with app.services.sessionmaker() as s:
        alert = await s.get(Alert, alert_id)
        assert alert is not None and alert.status == "resolved" and alert.resolved_by == MANAGER_ID
    edits = tg.calls_for("editMessageText", MANAGER_CHAT_ID)
    assert edits and "Мария" in edits[-1].params["text"] and not edits[-1].params.get("reply_markup")


async def test_kpi_view_is_the_retention_apis_table_and_key_partners_come_first(
    quiet_app: App, tg: FakeTelegram
) -> None:
    app = quiet_app
    ids = await _seed(app)
    in_group(tg, MANAGER_ID)
    init_data = sign_init_data(TOKEN, user(MANAGER_ID), int(utcnow().timestamp()))
    async with serving(app) as server:
        assert (await _call(str(server.make_url("/app/api/kpi")), init_data)) == (200, {"available": False})
        async with app.services.sessionmaker() as s:
            partners = (await s.execute(select(Response.partner_id, Response.score).where(
                Response.campaign_id == ids["autumn"]))).all()  # fmt: skip
            month = campaign_month((await s.get(Campaign, ids["autumn"])), app.services.settings.tz)  # type: ignore[arg-type]
            big = next(pid for pid, score in partners if score <= 6)  # a detractor brings most revenue
            for pid, score in partners:
                for step in (-1, 1):
                    revenue = Decimal(9000 if pid == big else 100)
                    status = "churned" if score <= 6 and step == 1 else "active"
                    s.add(
                        PartnerKpi(partner_id=pid, month=shift(month, step), revenue=revenue, status=status)
                    )
            await s.commit()
            expected = retention.as_json(
                await retention.retention(s, ids["autumn"], app.services.settings.tz)
            )  # type: ignore[arg-type]
            response_id = await s.scalar(
                select(Response.id).where(Response.partner_id == big, Response.score <= 6)
            )
            other_id = await s.scalar(
                select(Response.id)
                .where(Response.score <= 6, Response.partner_id != big)
                .order_by(Response.id)
            )
            assert response_id is not None and other_id is not None
            first = await alerts.claim(s, other_id)  # older alert, not a key partner
            second = await alerts.claim(s, response_id)
            await s.commit()
        status, body = await _call(str(server.make_url("/app/api/kpi")), init_data)
        assert status == 200 and body["available"] and body["retention"] == expected
        assert body["retention"]["categories"]["detractor"]["churn_rate"] == 1.0
        assert body["key_partners"]["count"] >= 1 and body["key_partners"]["nps"]["detractors"] >= 1
        _, listed = await _call(str(server.make_url("/app/api/alerts")), init_data)
        assert [a["id"] for a in listed["alerts"]] == [second, first]
        assert [a["key_partner"] for a in listed["alerts"]] == [True, False]

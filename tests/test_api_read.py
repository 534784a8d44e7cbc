"""The read API over real HTTP: paging through changes with no gap and no repeat while answers
keep arriving, erased text blanked, the /nps figures, campaigns, the OpenAPI description."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import insert, select, update

from bot.web.api_read import SETTLE
from bot.web.app import create_web_app
from bot.web.server import WebServer
from storage.analytics.report import current_nps
from storage.models import Response, utcnow
from storage.repo import partners
from tests.helpers import add_campaign, add_partner, add_response
from tests.web_helpers import AUTH, web_services

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def api(db: Any, db_url: str) -> AsyncIterator[tuple[str, Any]]:
    async with web_services(db_url) as services:
        server = WebServer(create_web_app(services), "127.0.0.1", 0)
        await server.start()
        try:
            yield f"http://127.0.0.1:{server.port}", services
        finally:
            await server.stop()


async def _get(http: aiohttp.ClientSession, url: str, **params: str) -> tuple[int, Any]:
    async with http.get(url, params=params, headers=AUTH) as resp:
        return resp.status, await resp.json()


async def _bulk(services: Any, campaign_id: int, partner_ids: list[int], n: int, start_round: int) -> None:
    """n answers in one executemany, stamped a minute ago (so they are settled)."""
    at = utcnow() - timedelta(minutes=1)
    rows = [
        {
            "campaign_id": campaign_id,
            "partner_id": partner_ids[i % len(partner_ids)],
            "round": start_round + i // len(partner_ids),
            "score": i % 11,
            "stage": "done",
            "answered_at": at,
            "updated_at": at + timedelta(microseconds=i // 7),  # ties on purpose: the id breaks them
            "completed_at": at,
        }
        for i in range(n)
    ]
    async with services.sessionmaker() as s:
        await s.execute(insert(Response), rows)
        await s.commit()


async def test_pages_through_every_response_once_while_answers_keep_arriving(db: Any, db_url: str) -> None:
    # The API's clock: the wall clock, moved on at the end so the answers that arrived while the
    # client paged have settled (answers are stamped with the wall clock).
    offset = timedelta()

    def clock() -> datetime:
        return utcnow() + offset

    async with web_services(db_url) as services:
        server = WebServer(create_web_app(services, clock=clock), "127.0.0.1", 0)
        await server.start()
        try:
            base = f"http://127.0.0.1:{server.port}"
            async with services.sessionmaker() as s:
                campaign = await add_campaign(s)
                pids = [(await add_partner(s, external_id=f"E{i}")).id for i in range(20)]
                await s.commit()
            total = 100_000
            await _bulk(services, campaign.id, pids, total, 0)
            async with services.sessionmaker() as s:
                stored = set((await s.scalars(select(Response.id))).all())
            assert len(stored) == total
            seen: list[int] = []
            stamps: list[str] = []
            arrived: set[int] = set()
            async with aiohttp.ClientSession() as http:
                status, page = await _get(http, base + "/api/v1/responses", since="2000-01-01T00:00:00Z")
                pages = 1
                while True:
                    assert status == 200
                    seen += [r["response_id"] for r in page["data"]]
                    stamps += [r["updated_at"] for r in page["data"]]
                    if not page["has_more"] and offset:
                        break
                    if not page["has_more"]:
                        offset = SETTLE + timedelta(seconds=1)  # caught up: the arrivals settle
                    else:
                        # New answers arrive between pages (younger than the page read).
                        async with services.sessionmaker() as s:
                            answer = {"campaign_id": campaign.id, "partner_id": pids[0], "score": 9}
                            rid = await s.scalar(
                                insert(Response).values(round=10_000 + pages, **answer).returning(Response.id)
                            )
                            await s.commit()
                        assert rid is not None
                        arrived.add(rid)
                    status, page = await _get(http, base + "/api/v1/responses", cursor=page["next_cursor"])
                    pages += 1
        finally:
            await server.stop()
    assert len(seen) == len(set(seen))  # no repeat
    assert set(seen) == stored | arrived  # no gap: every stored answer and every arrival
    assert stamps == sorted(stamps)  # newest changes last
    assert pages >= total // 1000  # it really paged


async def test_a_changed_response_comes_again_after_the_cursor_and_erased_text_is_blank(
    api: tuple[str, Any],
) -> None:
    base, services = api
    async with services.sessionmaker() as s:
        campaign = await add_campaign(s, title="Q4")
        keep = await add_partner(s, external_id="KEEP")
        gone = await add_partner(s, external_id="GONE", telegram_id=55)
        r1 = await add_response(s, campaign, keep, 9, comment="Отличные выплаты", drivers=["payouts"])
        r2 = await add_response(s, campaign, gone, 3, comment="my secret complaint")
        past = utcnow() - timedelta(minutes=1)
        await s.execute(update(Response).values(updated_at=past))
        await s.commit()
    async with aiohttp.ClientSession() as http:
        status, page = await _get(http, base + "/api/v1/responses")
        assert status == 200
        items = {r["response_id"]: r for r in page["data"]}
        assert items[r1.id]["external_id"] == "KEEP" and items[r1.id]["areas"] == ["payouts"]
        assert items[r1.id]["category"] == "promoter" and items[r1.id]["campaign"] == "Q4"
        cursor = page["next_cursor"]
        async with services.sessionmaker() as s:
            partner = await partners.get(s, gone.id)
            assert partner is not None
            await partners.erase(s, partner)
            await s.execute(
                update(Response)
                .where(Response.id == r2.id)
                .values(updated_at=utcnow() - timedelta(seconds=30))
            )
            await s.commit()
        status, page = await _get(http, base + "/api/v1/responses", cursor=cursor)
        assert [r["response_id"] for r in page["data"]] == [r2.id]
        erased = page["data"][0]
        assert erased["comment"] is None and erased["external_id"] is None and erased["score"] == 3
        status, again = await _get(http, base + "/api/v1/responses")
        assert "my secret complaint" not in str(again)


async def test_bad_cursor_and_since_are_400_and_the_token_is_required(api: tuple[str, Any]) -> None:
    base, _services = api
    async with aiohttp.ClientSession() as http:
        assert (await _get(http, base + "/api/v1/responses", cursor="not-ours"))[0] == 400
        assert (await _get(http, base + "/api/v1/responses", since="yesterday"))[0] == 400
        assert (await _get(http, base + "/api/v1/nps", campaign="x"))[0] == 400
        assert (await _get(http, base + "/api/v1/nps", campaign="999"))[0] == 404
        for path in ("responses", "nps", "campaigns", "partners", "retention", "openapi.jsonx"):
            async with http.get(f"{base}/api/v1/{path}") as resp:
                assert resp.status == 401, path
            async with http.get(f"{base}/api/v1/{path}", headers={"Authorization": "Bearer wrong"}) as resp:
                assert resp.status == 401, path
        # The description holds no data: served without the token (and with a wrong one).
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            async with http.get(f"{base}/api/v1/openapi.json", headers=headers) as resp:
                assert resp.status == 200
                spec = await resp.json()
        assert spec["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
        assert spec["security"] == [{"bearer": []}]  # everything else needs it


async def test_nps_and_campaigns_show_what_the_bot_shows(api: tuple[str, Any]) -> None:
    base, services = api
    async with services.sessionmaker() as s:
        old = await add_campaign(s, title="Q3", status="closed")
        new = await add_campaign(s, title="Q4")
        for i, score in enumerate([10, 9, 9, 7, 3, 0, 10, 8]):
            p = await add_partner(s, external_id=f"N{i}", segment="big" if i % 2 else "small")
            await add_response(s, new, p, score)
            await add_response(s, old, p, 5)
        await s.commit()
        figure = await current_nps(s)
        big = await current_nps(s, "big")
    assert figure is not None and big is not None
    async with aiohttp.ClientSession() as http:
        status, body = await _get(http, base + "/api/v1/nps")
        assert status == 200
        assert body["campaign"]["id"] == new.id
        assert body["figures"]["nps"] == round(figure.nps.nps or 0, 1)
        assert body["figures"]["responses"] == figure.nps.n == 8
        assert body["vs_previous"]["campaign"] == "Q3"
        status, seg = await _get(http, base + "/api/v1/nps", segment="big")
        assert seg["figures"]["responses"] == big.nps.n and seg["small_sample"] is True
        status, by_id = await _get(http, base + "/api/v1/nps", campaign=str(old.id))
        assert by_id["figures"]["detractors"] == 8 and by_id["figures"]["nps"] == -100.0
        status, camps = await _get(http, base + "/api/v1/campaigns")
        assert status == 200
        listed = {c["id"]: c for c in camps["data"]}
        assert listed[new.id]["responses"] == 8 and listed[old.id]["status"] == "closed"
        status, spec = await _get(http, base + "/api/v1/openapi.json")
        assert status == 200 and spec["openapi"].startswith("3.1")
        for path in (
            "/api/v1/responses",
            "/api/v1/nps",
            "/api/v1/campaigns",
            "/api/v1/partners",
            "/api/v1/metrics",
            "/api/v1/retention",
        ):
            assert path in spec["paths"]

"""Retention by NPS category: the API recovers what the generated program planted.

Expected figures are computed from the generated rows in Python (tests/benchmarks/program.py
``expected_retention``), never through the project's SQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.web.app import create_web_app
from bot.web.server import WebServer
from storage.analytics.key_partners import key_partners
from storage.models import Campaign, Partner, PartnerKpi, Response
from storage.models import campaign as c
from tests.benchmarks.program import TZ, expected_retention, generate, load
from tests.web_helpers import AUTH, web_services

Sessions = async_sessionmaker[AsyncSession]
CENT = Decimal("0.01")


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def _per(total: Decimal, n: int, months: int = 1) -> str:
    return _money(total / n / months) if n else "0.00"


@pytest.fixture
async def api(db: Sessions, db_url: str) -> AsyncIterator[str]:
    async with web_services(db_url, timezone=TZ) as services:
        server = WebServer(create_web_app(services), "127.0.0.1", 0)
        await server.start()
        try:
            yield f"http://127.0.0.1:{server.port}/api/v1"
        finally:
            await server.stop()


async def _get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=AUTH) as resp:
            return resp.status, await resp.json()


async def test_retention_recovers_the_planted_effects(api: str, db: Sessions) -> None:
    program = generate(1500, 24, end="2026-11", churn_multiple=3.0, promoter_churn=0.08, promoter_growth=0.05)
    await load(db, program, date(2026, 11, 15))
    async with db() as s:
        ids = list(await s.scalars(select(Campaign.id).order_by(Campaign.id)))
    assert len(ids) == len(program.campaigns) >= 6
    pooled: dict[str, list[int]] = {"promoter": [0, 0], "detractor": [0, 0]}
    growth: dict[str, list[Decimal]] = {
        "promoter": [Decimal(0), Decimal(0)],
        "detractor": [Decimal(0), Decimal(0)],
    }
    for k, campaign_id in enumerate(ids):
        want = expected_retention(program, k)
        status, got = await _get(f"{api}/retention?campaign={campaign_id}")
        assert status == 200
        assert got["campaign"] == campaign_id and got["month"] == want["month"]
        assert got["window_complete"] is want["window_complete"]
        for name, cat in want["categories"].items():
            n = cat["partners"]
            assert got["categories"][name] == {
                "partners": n,
                "retained": cat["retained"],
                "churned": n - cat["retained"],
                "churn_rate": round((n - cat["retained"]) / n, 4) if n else None,
                "revenue_before": _money(cat["before"]),
                "revenue_after": _money(cat["after"]),
                "arpu_before": _per(cat["before"], n, 3),
                "arpu_after": _per(cat["after"], n, 3),
                "lifetime_revenue": _per(cat["lifetime"], n),
            }, (k, name)
        if want["window_complete"]:
            for name in pooled:
                cat = want["categories"][name]
                pooled[name][0] += cat["partners"] - cat["retained"]
                pooled[name][1] += cat["partners"]
            for name in growth:
                growth[name][0] += Decimal(got["categories"][name]["revenue_after"])
                growth[name][1] += Decimal(got["categories"][name]["revenue_before"])
            d, p = want["categories"]["detractor"], want["categories"]["promoter"]
            exact = (d["partners"] - d["retained"]) / d["partners"] - (p["partners"] - p["retained"]) / p[
                "partners"
            ]
            assert got["detractor_vs_promoter"]["churn_difference"] == round(exact, 4)
            assert got["detractor_vs_promoter"]["significant"] is True  # ~250 of each, 3x the churn
    # The planted multiple, over every complete campaign: detractors churn ~3x as often.
    ratio = (pooled["detractor"][0] / pooled["detractor"][1]) / (
        pooled["promoter"][0] / pooled["promoter"][1]
    )
    assert 2.2 < ratio < 4.0, ratio
    # Promoters' revenue grew across the campaign window (planted: +5% a month while they stay).
    promoters, detractors = (after / before for after, before in growth.values())
    assert promoters > Decimal("1.05") and promoters > detractors, (promoters, detractors)
    # The last campaign's window is still open: the API says so.
    status, last = await _get(f"{api}/retention?campaign={ids[-1]}")
    assert last["window_complete"] is False and last["months_available"] < 3


async def test_significance_and_partial_window(api: str, db: Sessions) -> None:
    """A small hand-made program: numbers checked by hand."""
    launched = datetime(2026, 4, 7, 8, 0, tzinfo=UTC)  # 11:00 in Moscow, April
    async with db() as s:
        campaign = Campaign(title="Q2", kind=c.MANUAL, status=c.CLOSED, launched_at=launched)
        s.add(campaign)
        partners = [Partner(external_id=f"S-{i}") for i in range(60)]
        s.add_all(partners)
        await s.flush()
        for i, p in enumerate(partners):
            score = 10 if i < 30 else 2
            s.add(Response(campaign_id=campaign.id, partner_id=p.id, score=score, answered_at=launched))
            # Detractors 30..59: 20 churn (no activity after), promoters: 3 churn.
            churns = (i >= 30 and i < 50) or i < 3
            s.add(PartnerKpi(partner_id=p.id, month="2026-03", revenue=Decimal("100.00"), status="active"))
            s.add(PartnerKpi(partner_id=p.id, month="2026-05", revenue=Decimal("0" if churns else "150.50"),
                             conversions=0 if churns else 2, status=None))  # fmt: skip
        s.add(Campaign(title="unlaunched", created_at=launched + timedelta(days=1)))
        await s.commit()
        cid = campaign.id
    status, got = await _get(f"{api}/retention?campaign={cid}")
    assert status == 200
    assert got["month"] == "2026-04" and got["window_complete"] is False and got["months_available"] == 1
    det, pro = got["categories"]["detractor"], got["categories"]["promoter"]
    assert (det["partners"], det["retained"], det["churned"], det["churn_rate"]) == (30, 10, 20, 0.6667)
    assert (pro["partners"], pro["retained"], pro["churned"], pro["churn_rate"]) == (30, 27, 3, 0.1)
    assert det["revenue_before"] == "3000.00" and det["arpu_before"] == "33.33"
    assert det["revenue_after"] == "1505.00" and pro["lifetime_revenue"] == "235.45"
    assert got["categories"]["passive"]["partners"] == 0
    assert got["detractor_vs_promoter"] == {"churn_difference": 0.5667, "significant": True}
    for bad in ("abc", "-1", "", "1.5", "9" * 30):
        assert (await _get(f"{api}/retention?campaign={bad}"))[0] == 400
    assert (await _get(f"{api}/retention?campaign=999999"))[0] == 404
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{api}/retention?campaign={cid}") as resp:
            assert resp.status == 401


async def test_key_partners_bring_80_percent_of_the_last_3_months(db: Sessions) -> None:
    async with db() as s:
        partners = [Partner(external_id=f"K-{i}") for i in range(5)]
        s.add_all(partners)
        await s.flush()
        revenue = [700, 150, 100, 30, 20]  # per month, over 2026-06..08; 2026-01 is older
        for p, amount in zip(partners, revenue, strict=True):
            for month in ("2026-06", "2026-07", "2026-08"):
                s.add(PartnerKpi(partner_id=p.id, month=month, revenue=Decimal(amount)))
        s.add(PartnerKpi(partner_id=partners[4].id, month="2026-01", revenue=Decimal(100000)))
        await s.commit()
        key = await key_partners(s)
    assert key.months == ("2026-06", "2026-07", "2026-08")
    assert key.ids == {partners[0].id, partners[1].id}  # 70%, then 85%
    assert key.trailing_cents[partners[4].id] == 6000

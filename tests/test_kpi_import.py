"""Monthly KPIs in: the CSV (bot /import, CLI) and the HTTP API share one set of rules.

Storage-level and real-HTTP tests; the bot's /import path is in tests/e2e/test_import_kpis.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main as cli_main
from bot.web.app import create_web_app
from bot.web.server import WebServer
from storage.models import Partner, PartnerKpi
from storage.repo import imports
from tests.helpers import TOKEN
from tests.web_helpers import AUTH, web_services

TODAY = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def _partners(db: Sessions, *ids: str) -> None:
    async with db() as s:
        s.add_all(Partner(external_id=ext, name=ext) for ext in ids)
        await s.commit()


async def _kpis(db: Sessions) -> dict[tuple[str, str], tuple[Any, ...]]:
    async with db() as s:
        rows = await s.execute(
            select(Partner.external_id, PartnerKpi.month, PartnerKpi.revenue, PartnerKpi.payout,
                   PartnerKpi.conversions, PartnerKpi.clicks, PartnerKpi.status)
            .join(Partner, Partner.id == PartnerKpi.partner_id)
        )  # fmt: skip
        return {(r[0], r[1]): tuple(r[2:]) for r in rows}


GOOD_CSV = (
    "external_id,period,revenue,payout,conversions,clicks,status\n"
    "P-1,2026-01,1234.50,100.00,3,120,active\n"
    "P-1,2026-02,0,0,0,10,\n"
    'P-2,2026-01,"99.99",,0,5,Paused\n'
)


async def test_csv_import_then_repeat_changes_nothing_then_an_edit_updates(db: Sessions) -> None:
    await _partners(db, "P-1", "P-2")
    kind, report = await imports.import_csv(db, ("\ufeff" + GOOD_CSV).encode(), TODAY)
    assert kind == imports.METRICS and report.fatal is None
    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, [])
    stored = await _kpis(db)
    assert stored[("P-1", "2026-01")] == (Decimal("1234.50"), Decimal("100.00"), 3, 120, "active")
    assert stored[("P-1", "2026-02")] == (Decimal("0.00"), Decimal("0.00"), 0, 10, None)
    assert stored[("P-2", "2026-01")] == (Decimal("99.99"), None, 0, 5, "paused")

    _, again = await imports.import_csv(db, GOOD_CSV.encode(), TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await _kpis(db) == stored

    # A subset of columns: the others keep their stored values.
    _, edit = await imports.import_csv(db, b"external_id;period;revenue\nP-1;2026-01;2000\n", TODAY)
    assert (edit.created, edit.updated, edit.unchanged) == (0, 1, 0)
    assert (await _kpis(db))[("P-1", "2026-01")] == (Decimal("2000.00"), Decimal("100.00"), 3, 120, "active")


async def test_cp1251_semicolons(db: Sessions) -> None:
    await _partners(db, "Ж-1")
    data = "external_id;period;revenue;status\nЖ-1;2025-12;10.5;churned\n".encode("cp1251")
    kind, report = await imports.import_csv(db, data, TODAY)
    assert kind == imports.METRICS and report.created == 1
    assert (await _kpis(db))[("Ж-1", "2025-12")] == (Decimal("10.50"), None, None, None, "churned")


BAD_CSV = (
    "external_id,period,revenue,payout,conversions,clicks,status\n"  # line 1
    "NOPE,2026-01,1,1,1,1,active\n"  # 2: unknown partner
    "P-1,2026-13,1,1,1,1,active\n"  # 3: month 13
    "P-1,1999-12,1,1,1,1,active\n"  # 4: before 2000-01
    "P-1,2027-12,1,1,1,1,active\n"  # 5: 12 months after 2026-12 is fine
    "P-1,2028-01,1,1,1,1,active\n"  # 6: 13 months ahead
    'P-1,2026-02,"1234,50",1,1,1,active\n'  # 7: money with a comma
    "P-1,2026-03,1,1,1,-5,active\n"  # 8: negative clicks
    "P-1,2026-04,1,1,1,1,gone\n"  # 9: status outside the list
    "P-1,2027-12,2,1,1,1,active\n"  # 10: same partner and period as line 5
    "P-1,,1,1,1,1,active\n"  # 11: no period
    ",2026-05,1,1,1,1,active\n"  # 12: no external_id
    "P-1,2026-06,1.234,1,1,1,active\n"  # 13: three decimals
    "P-1,2026-07,1,1,1.5,1,active\n"  # 14: fractional conversions
    "P-1,26-08,1,1,1,1,active\n"  # 15: not YYYY-MM
)


async def test_every_bad_row_is_reported_with_its_line_and_good_rows_land(db: Sessions) -> None:
    await _partners(db, "P-1")
    _, report = await imports.import_csv(db, BAD_CSV.encode(), TODAY)
    reasons = {r.line: r.reason for r in report.rejected}
    assert reasons == {
        2: "unknown-partner",
        3: "bad-period",
        4: "bad-period",
        6: "bad-period",
        7: "bad-kpi-revenue",
        8: "bad-clicks",
        9: "bad-status",
        10: "duplicate-period",
        11: "missing-period",
        12: "missing-external-id",
        13: "bad-kpi-revenue",
        14: "bad-conversions",
        15: "bad-period",
    }
    assert report.created == 1 and list(await _kpis(db)) == [("P-1", "2027-12")]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"external_id,revenue\nP-1,5\n",  # a KPI file needs period: this is read as partners...
        b"external_id,period,period\nP-1,2026-01,2026-01\n",
        b'external_id,period,revenue\nP-1,2026-01,"5\n',
        b"\x00\x01binary",
    ],
)
async def test_fatal_problems_change_nothing(db: Sessions, data: bytes) -> None:
    await _partners(db, "P-1")
    _, report = await imports.import_csv(db, data, TODAY)
    if data.startswith(b"external_id,revenue"):
        return  # ...and a partner file without known figures changes no KPI
    assert report.fatal is not None
    assert await _kpis(db) == {}


async def test_no_period_column_in_a_metrics_file_is_fatal(db: Sessions) -> None:
    report = await imports.import_metrics_csv(db, b"external_id,revenue\nP-1,5\n", TODAY)
    assert report.fatal is not None and report.fatal.key == "no-period"


def test_cli_import_metrics(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    new_db: Callable[[str], str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", new_db("cli"))
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    (tmp_path / "p.csv").write_text("external_id,name\nP-1,One\nP-2,Two\n")
    (tmp_path / "k.csv").write_text(GOOD_CSV + "P-9,2026-01,1,1,1,1,active\n")
    assert cli_main(["import-partners", str(tmp_path / "p.csv")]) == 0
    capsys.readouterr()
    assert cli_main(["import-metrics", str(tmp_path / "k.csv")]) == 0
    out = capsys.readouterr().out
    assert "created 3, updated 0, unchanged 0, rejected 1" in out
    assert "line 5 (P-9): no partner has this external_id" in out
    assert cli_main(["import-metrics", str(tmp_path / "k.csv")]) == 0
    assert "created 0, updated 0, unchanged 3, rejected 1" in capsys.readouterr().out
    (tmp_path / "bad.csv").write_text("external_id,revenue\nP-1,5\n")
    assert cli_main(["import-metrics", str(tmp_path / "bad.csv")]) == 1
    assert "there is no period column" in capsys.readouterr().out


# --- the HTTP API ------------------------------------------------------------------------------


@pytest.fixture
async def api(db: Sessions, db_url: str) -> AsyncIterator[str]:
    async with web_services(db_url, timezone="Europe/Moscow") as services:
        server = WebServer(create_web_app(services, clock=lambda: NOW), "127.0.0.1", 0)
        await server.start()
        try:
            yield f"http://127.0.0.1:{server.port}/api/v1"
        finally:
            await server.stop()


async def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=data, headers=headers if headers is not None else AUTH) as resp:
            return resp.status, await resp.json()


async def test_api_partners_then_metrics(api: str, db: Sessions) -> None:
    partners = [
        {"external_id": "A-1", "name": "Alpha", "segment": "gold", "joined_at": "2024-03-01",
         "manager": "@kate_m"},
        {"external_id": "A-2", "name": "Beta", "tier": "2", "monthly_revenue": 10.5, "manager": 123456789},
        {"external_id": "A-3", "joined_at": "2024-02-30"},
        "not an object",
        {"name": "no id"},
    ]  # fmt: skip
    status, body = await _post(api + "/partners", partners)
    assert status == 200
    assert body["created"] == 2 and body["updated"] == 0 and body["unchanged"] == 0
    assert [r["index"] for r in body["rejected"]] == [2, 3, 4]
    assert "joined_at" in body["rejected"][0]["reason"]
    async with db() as s:
        alpha = await s.scalar(select(Partner).where(Partner.external_id == "A-1"))
        beta = await s.scalar(select(Partner).where(Partner.external_id == "A-2"))
    assert alpha is not None and beta is not None
    assert alpha.joined_at == date(2024, 3, 1) and alpha.manager == "kate_m"
    assert beta.manager == "123456789" and beta.monthly_revenue == Decimal("10.50")

    metrics = [
        {"external_id": "A-1", "period": "2026-11", "revenue": 1500.25, "payout": "300", "conversions": 4,
         "clicks": 100, "status": "active"},
        {"external_id": "A-2", "period": "2026-11", "revenue": "10", "conversions": 0},
        {"external_id": "A-1", "period": "2026-10", "revenue": "1,5"},
        {"external_id": "A-1", "period": "2026-09", "clicks": -1},
        {"external_id": "A-1", "period": "2026-08", "status": "sleeping"},
        {"external_id": "ZZZ", "period": "2026-08"},
        {"external_id": "A-1", "period": "2026-07", "revenue": True},
    ]  # fmt: skip
    status, body = await _post(api + "/metrics", metrics)
    assert status == 200
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert [r["index"] for r in body["rejected"]] == [2, 3, 4, 5, 6]
    assert all(isinstance(r["reason"], str) and r["reason"] for r in body["rejected"])
    stored = await _kpis(db)
    assert stored[("A-1", "2026-11")] == (Decimal("1500.25"), Decimal("300.00"), 4, 100, "active")

    status, again = await _post(api + "/metrics", metrics[:2])
    assert (status, again) == (200, {"created": 0, "updated": 0, "unchanged": 2, "rejected": []})
    assert await _kpis(db) == stored


async def test_api_refuses_whole_bodies_and_writes_nothing(api: str, db: Sessions) -> None:
    await _partners(db, "P-1")
    item = {"external_id": "P-1", "period": "2026-01", "revenue": "1"}
    cases: list[tuple[bytes | Any, int]] = [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (item, 400),  # an object, not an array
        (b"[NaN]", 400),
        ([item] * 10_001, 413),
        (b"[" + b" " * (5 * 1024 * 1024) + b"]", 413),
    ]
    for body, expected in cases:
        status, answer = await _post(api + "/metrics", body)
        assert status == expected, body if isinstance(body, bytes) and len(body) < 100 else expected
        assert "error" in answer
    assert await _kpis(db) == {}
    status, _ = await _post(api + "/metrics", [item], headers={"Authorization": "Bearer nope-nope-nope-nope"})
    assert status == 401
    assert await _kpis(db) == {}
    status, body = await _post(api + "/metrics", [item] * 1)
    assert status == 200 and body["created"] == 1


async def test_api_periods_follow_the_injected_clock(api: str, db: Sessions) -> None:
    await _partners(db, "P-1")
    # NOW is 2026-12: up to 2027-12 is accepted, 2028-01 is not.
    items = [{"external_id": "P-1", "period": p, "revenue": "1"} for p in ("2027-12", "2028-01", "2000-01")]
    status, body = await _post(api + "/metrics", items)
    assert status == 200 and body["created"] == 2 and [r["index"] for r in body["rejected"]] == [1]


async def test_a_large_import_is_written_in_batches(db: Sessions) -> None:
    await _partners(db, *(f"B-{i}" for i in range(50)))
    lines = ["external_id,period,revenue,conversions"]
    months = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
    lines += [f"B-{i},{months[m]},{i}.{m:02d},{m}" for i in range(50) for m in range(24)]
    data = "\n".join(lines).encode()
    report = await imports.import_metrics_csv(db, data, TODAY)
    assert report.created == 1200 and not report.rejected
    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(PartnerKpi)) == 1200
        assert await s.scalar(select(func.sum(PartnerKpi.revenue))) == sum(
            Decimal(f"{i}.{m:02d}") for i in range(50) for m in range(24)
        )

"""Export in both formats, read back and compared with the database; CLI; CSV injection; erasure."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli_export import export_command
from bot.config import Settings
from storage.analytics.themes import analyse
from storage.export import COLUMNS, export_to_path
from storage.models import PartnerKpi
from storage.models import campaign as c
from storage.repo import partners
from tests.helpers import TOKEN, add_campaign, add_partner, add_response

AT = datetime(2026, 10, 5, 8, 30, 15, 123456, tzinfo=UTC)

EXPECTED_HEADER = [
    "campaign_id",
    "campaign",
    "partner_external_id",
    "telegram_id",
    "name",
    "segment",
    "tier",
    "score",
    "category",
    "comment",
    "drivers",
    "answered_at",
    "themes",
    "theme_confidence",
    "geo",
    "niche",
    "manager",
    "trailing_revenue_3m",
    "language",
    "monthly_revenue",
    "driver_names",
    "theme_names",
]
ANNA = {"geo": "RU", "niche": "finance", "manager": "Ольга", "language": "ru", "monthly_revenue": "1500.50"}


async def _fill(session: AsyncSession) -> dict[str, int]:
    q3 = await add_campaign(session, "Осенний опрос", kind=c.QUARTERLY, launched_at=AT)
    q4 = await add_campaign(session, "Зима", kind=c.MANUAL, launched_at=AT)
    anna = await add_partner(
        session,
        external_id="P-1",
        telegram_id=111,
        name="Анна Иванова",
        segment="блогеры",
        tier="gold",
        **ANNA,
    )
    evil = await add_partner(
        session, external_id="=cmd|'/c calc'!A1", telegram_id=222, name="+SUM(1,2)", segment="shop"
    )
    gone = await add_partner(session, external_id="P-3", telegram_id=333, name="Удалённый", segment="shop")
    await add_response(
        session,
        q3,
        anna,
        10,
        comment="Всё «отлично», спасибо;\nвторая строка",
        drivers=["support", "payouts"],
        answered_at=AT,
    )
    await add_response(session, q3, evil, 3, comment="-1+2 @mention", drivers=[], answered_at=AT)
    await add_response(session, q3, gone, 7, comment="личное", drivers=["portal"], answered_at=AT)
    await add_response(session, q4, anna, 6, answered_at=AT)
    await partners.erase(session, gone)
    # Anna's revenue over the last 3 imported months (2026-07..09): 200.00 + 100.50; January is older.
    for month, amount in (("2026-01", "999"), ("2026-08", "200"), ("2026-09", "100.50")):
        session.add(PartnerKpi(partner_id=anna.id, month=month, revenue=Decimal(amount)))
    return {"q3": q3.id, "q4": q4.id}


def _auto(comment: str) -> tuple[str, float]:
    """Theme cells of a comment classified on arrival (no person's tag)."""
    verdict = analyse(comment)
    return "auto: " + ";".join(verdict.areas), round(verdict.confidence, 3)


def _names(keys: str | None) -> str | None:
    return "; ".join(f"<{k}>" for k in keys.split(";")) if keys else None


def _expected(ids: dict[str, int], *, named: bool = False) -> list[list[Any]]:
    at = "2026-10-05T08:30:15Z"
    anna = "Всё «отлично», спасибо;\nвторая строка"
    attrs = list(ANNA.values())
    n = _names if named else (lambda keys: None)
    auto_anna, auto_evil = _auto(anna), _auto("-1+2 @mention")
    return [
        [ids["q3"], "Осенний опрос", "P-1", 111, "Анна Иванова", "блогеры", "gold", 10, "promoter",
         anna, "payouts;support", at, *auto_anna, *attrs[:3], "300.50", *attrs[3:], n("payouts;support"),
         n(auto_anna[0][6:])],
        [ids["q3"], "Осенний опрос", "'=cmd|'/c calc'!A1", 222, "'+SUM(1,2)", "shop", None, 3, "detractor",
         "'-1+2 @mention", None, at, *auto_evil, *[None] * 7, n(auto_evil[0][6:])],
        # Erased: no external id, Telegram id, name, comment or revenue; scores and segment stay.
        [ids["q3"], "Осенний опрос", None, None, None, "shop", None, 7, "passive", None, "portal", at,
         None, None, None, None, None, None, None, None, n("portal"), None],
        [ids["q4"], "Зима", "P-1", 111, "Анна Иванова", "блогеры", "gold", 6, "detractor", None, None, at,
         None, None, *attrs[:3], "300.50", *attrs[3:], None, None],
    ]  # fmt: skip


def _as_csv_cells(rows: list[list[Any]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


@pytest.fixture
async def ids(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with db() as session:
        found = await _fill(session)
        await session.commit()
    return found


async def test_csv_round_trip(
    db: async_sessionmaker[AsyncSession], ids: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    async with db() as session:
        rows = await export_to_path(session, out)
    assert rows == 4
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert table[0] == EXPECTED_HEADER == list(COLUMNS)
    assert table[1:] == _as_csv_cells(_expected(ids))


async def test_xlsx_round_trip_one_campaign(
    db: async_sessionmaker[AsyncSession], ids: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "q3.xlsx"
    moscow = ZoneInfo("Europe/Moscow")
    async with db() as session:
        rows = await export_to_path(
            session, out, campaign_id=ids["q3"], name_of=lambda key: f"<{key}>", tz=moscow
        )
    assert rows == 3
    sheet = load_workbook(out).active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    at = EXPECTED_HEADER.index("answered_at")
    revenue = EXPECTED_HEADER.index("monthly_revenue")
    assert table[0] == [f"answered_at ({moscow.key})" if h == "answered_at" else h for h in EXPECTED_HEADER]
    # A real date cell, in TIMEZONE (08:30 UTC is 11:30 in Moscow), and revenue as a number.
    assert {r[at] for r in table[1:]} == {datetime(2026, 10, 5, 11, 30, 15)}
    assert sheet.cell(row=2, column=at + 1).is_date
    expected = [r for r in _expected(ids, named=True) if r[0] == ids["q3"]]
    for row in expected:
        row[at] = datetime(2026, 10, 5, 11, 30, 15)
        row[revenue] = 1500.5 if row[revenue] else None
    width = len(EXPECTED_HEADER)  # a row's empty trailing cells are not written in xlsx
    padded = [r + [None] * (width - len(r)) for r in table[1:]]
    assert padded == expected
    # Readable in Excel: frozen header, a filter over every column, widths set.
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(width)}4"
    assert sheet.column_dimensions["J"].width >= 40  # the comment
    # Formula-looking text stays text: nothing was stored as a formula.
    assert all(not (isinstance(v, str) and v.startswith("=")) for r in table for v in r)


async def test_cli_export(
    db_url: str, ids: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, bot_token=TOKEN, database_url=db_url, default_locale="en")  # type: ignore[call-arg,arg-type]
    out = tmp_path / "sub" / "answers.csv"
    assert await export_command(settings, str(out), ids["q4"]) == 0
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert table[1:] == _as_csv_cells([r for r in _expected(ids, named=True) if r[0] == ids["q4"]])
    assert "Exported 1 row " in capsys.readouterr().out
    assert await export_command(settings, str(tmp_path / "answers.pdf"), None) == 2
    assert await export_command(settings, str(tmp_path / "x.csv"), 999) == 1
    assert not (tmp_path / "x.csv").exists()

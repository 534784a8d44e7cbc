"""Every CSV/XLSX the bot writes is safe in a spreadsheet and never fails on stored text
(issue 12 items 4 and 5)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from storage.models import Partner, Response
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, add_campaign, add_partner, add_response

pytestmark = pytest.mark.asyncio

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+seg", "-2+3", "@SUM(A1)", "\tcmd", "\rcr"]


@pytest.fixture(autouse=True)
def chatty(tg: FakeTelegram) -> None:
    tg.per_chat_burst = 30


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _neutral(cell: str) -> bool:
    """A cell a spreadsheet shows as text: it does not start like a formula."""
    return not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


async def test_invites_csv_neutralises_formulas(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    async with app.services.sessionmaker() as s:
        for i, bad in enumerate(HOSTILE):
            await add_partner(s, external_id=bad if i % 2 == 0 else f"E-{i}", name=bad, segment=bad,
                              invite_code=f"code{i:012d}")  # fmt: skip
        await s.commit()
    await admin.send_text("/invites")
    sheet = await admin.wait_reply()
    rows = _csv(tg.uploaded(sheet["message_id"], admin.chat_id))
    assert len(rows) == len(HOSTILE) + 1
    cells = [cell for row in rows[1:] for cell in row[:3]]
    assert all(_neutral(c) for c in cells), cells
    assert {r[1] for r in rows[1:]} == {"'" + bad for bad in HOSTILE}  # shown as written


async def test_rejected_rows_csv_neutralises_formulas(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    rows = "\n".join(f"=cmd|'/c calc'!A{i},not-a-number" for i in range(300))
    await admin.send_document("bad.csv", f"external_id,telegram_id\n{rows}\n".encode(), caption="/import")
    await tg.wait_until(lambda: any("document" in m for m in admin.messages()), 10)
    document = [m for m in admin.messages() if "document" in m][-1]
    table = _csv(tg.uploaded(document["message_id"], admin.chat_id))
    assert len(table) == 301 and all(_neutral(c) for row in table for c in row)


async def test_import_drops_xml_illegal_characters(app: App, admin: SimUser) -> None:
    content = "external_id,name,segment\nC-1,Ива\x0bн,go\x07ld\n".encode()
    await admin.send_document("ctl.csv", content, caption="/import")
    await admin.wait_text("создано 1", timeout=10)
    async with app.services.sessionmaker() as s:
        partner = await s.scalar(select(Partner).where(Partner.external_id == "C-1"))
    assert partner is not None and partner.name == "Иван" and partner.segment == "gold"


async def test_exports_never_fail_on_control_characters(tg: FakeTelegram, app: App) -> None:
    async with app.services.sessionmaker() as s:  # stored before input was cleaned
        campaign = await add_campaign(s, "Осень\x0b")
        partner = await add_partner(s, external_id="X\x0b1", name="Name\x0bWith VT", telegram_id=71_001)
        await add_response(s, campaign, partner, 3, comment="Звоночек\x07 =1+1")
        await s.commit()
    mgr = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    await mgr.send_text("/export xlsx")
    doc = await mgr.wait_text("1 строка", timeout=10)
    book = load_workbook(io.BytesIO(tg.uploaded(doc["message_id"], MANAGER_CHAT_ID)), read_only=True)
    sheet = book.active
    assert sheet is not None
    table: list[Any] = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[1][1:5] == ["Осень", "X1", 71_001, "NameWith VT"]
    assert table[1][9] == "Звоночек =1+1"

    await mgr.send_text("/export")
    doc = await mgr.wait_text("1 строка", timeout=10)
    rows = _csv(tg.uploaded(doc["message_id"], MANAGER_CHAT_ID))
    assert rows[1][4] == "NameWith VT" and rows[1][9] == "Звоночек =1+1"


async def test_survey_comment_drops_xml_illegal_characters(app: App, make_user) -> None:
    user = make_user(71_002)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("6")
    await user.wait_text("Что нам стоит улучшить")
    await user.send_text("Звонок\x07 и\x0b табуляция\tостается")
    await user.wait_text("Какие области", timeout=15)
    async with app.services.sessionmaker() as s:
        comment = await s.scalar(select(Response.comment))
    assert comment == "Звонок и табуляция\tостается"

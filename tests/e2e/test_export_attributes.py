"""The export a manager gets in the chat carries every partner attribute and names areas in the
manager's language; the XLSX has dates in TIMEZONE, a frozen header, a filter (issue 26, item 5)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.app import App
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, add_campaign, add_partner, add_response

AT = datetime(2026, 11, 2, 21, 30, tzinfo=UTC)  # 3 November, 00:30 in Moscow


async def test_export_attributes_names_and_dates(tg: FakeTelegram, make_app) -> None:  # type: ignore[no-untyped-def]
    app: App = await make_app(timezone="Europe/Moscow")
    tg.per_chat_burst = 30
    async with app.services.sessionmaker() as s:
        campaign = await add_campaign(s, "Осень", launched_at=AT)
        partner = await add_partner(
            s, external_id="P-7", telegram_id=7_950_001, name="=HYPERLINK(1)", segment="blog", tier="gold",
            geo="KZ", niche="crypto", language="en", monthly_revenue="2500.00",
        )  # fmt: skip
        await add_response(
            s, campaign, partner, 4, comment="-выплаты долго", drivers=["payouts"], answered_at=AT
        )
        partner.segment, partner.tier = "shop", "silver"  # re-imported later: the answer keeps its own
        await s.commit()
    manager = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)

    await manager.send_text("/export")
    doc = await manager.wait_text("Выгрузка ответов: 1 строка")
    raw = tg.uploaded(doc["message_id"], MANAGER_CHAT_ID)
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    cell = dict(zip(header, row, strict=True))
    assert (cell["segment"], cell["tier"]) == ("blog", "gold")  # as it was when they answered
    assert (cell["geo"], cell["niche"], cell["language"], cell["monthly_revenue"]) == (
        "KZ",
        "crypto",
        "en",
        "2500.00",
    )
    assert cell["drivers"] == "payouts" and cell["driver_names"] == "Скорость выплат"
    assert cell["name"].startswith("'=") and cell["comment"].startswith("'-")  # safe in Excel

    await manager.send_text("/export xlsx")
    xdoc = await manager.wait_text("Выгрузка ответов: 1 строка")
    book = load_workbook(io.BytesIO(tg.uploaded(xdoc["message_id"], MANAGER_CHAT_ID)))
    sheet = book.active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    at = rows[0].index("answered_at (Europe/Moscow)")
    assert rows[1][at] == datetime(2026, 11, 3, 0, 30)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref is not None
    assert rows[1][rows[0].index("driver_names")] == "Скорость выплат"

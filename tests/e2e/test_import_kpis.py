"""Monthly KPIs through the bot: /import with a CSV whose header has a period column."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Partner, PartnerKpi
from tests.fakebot import FakeTelegram, SimUser


@pytest.fixture(autouse=True)
def chatty_admin(tg: FakeTelegram) -> None:
    tg.per_chat_burst = 30


async def test_kpi_csv_through_import_reports_rows_and_repeats_change_nothing(
    app: App, admin: SimUser
) -> None:
    await admin.send_document("p.csv", b"external_id,name,manager\nK-1,One,@kate_m\n", caption="/import")
    assert "создано 1" in str((await admin.wait_reply(timeout=10))["text"])
    kpis = "external_id;period;revenue;status\nK-1;2026-01;10.50;active\n"
    kpis += "K-1;2026-02;1,5;active\nK-2;2026-01;1;\n"
    await admin.send_document("kpi.csv", kpis.encode("cp1251"), caption="/import")
    report = str((await admin.wait_reply(timeout=10))["text"])
    assert "создано 1, обновлено 0, без изменений 0, отклонено 2" in report
    assert "строка 3 (K-1)" in report and "revenue «1,5»" in report
    assert "строка 4 (K-2)" in report and "партнера с таким external_id нет" in report
    await admin.send_document("kpi.csv", kpis.encode("cp1251"), caption="/import")
    assert "создано 0, обновлено 0, без изменений 1" in str((await admin.wait_reply(timeout=10))["text"])
    async with app.services.sessionmaker() as s:
        rows = (await s.execute(select(PartnerKpi.month, PartnerKpi.revenue, PartnerKpi.status))).all()
        manager = await s.scalar(select(Partner.manager))
    assert rows == [("2026-01", Decimal("10.50"), "active")]
    assert manager == "kate_m"

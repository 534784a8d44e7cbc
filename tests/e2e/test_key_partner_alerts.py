"""A key partner's detractor alert says so and names their manager; /alerts lists it first."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from bot.app import App
from bot.digest.alerts import raise_alert
from storage.models import Partner, PartnerKpi, Response
from tests.e2e.test_alerts import _detractor_survey, manager
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import add_campaign, add_partner, add_response


async def test_key_partner_alert_names_the_manager_and_comes_first_in_alerts(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    async with app.services.sessionmaker() as s:
        key = await add_partner(s, external_id="BIG", telegram_id=5151, name="Большой", manager="kate_m")
        small = await add_partner(s, external_id="SMALL", name="Малый")
        for month in ("2026-08", "2026-09", "2026-10"):
            s.add(PartnerKpi(partner_id=key.id, month=month, revenue=Decimal("9000")))
            s.add(PartnerKpi(partner_id=small.id, month=month, revenue=Decimal("100")))
        # An older open alert of a small partner: the key partner's must still be listed first.
        old = await add_campaign(s, "Старая")
        await add_response(s, old, small, 1)
        await s.commit()
    mgr = manager(tg)
    async with app.services.sessionmaker() as s:
        old_response = await s.scalar(select(Response.id).where(Response.partner_id == small.id))
    assert old_response is not None
    await raise_alert(app.services, old_response)
    await mgr.wait_text("Критик: 1/10")

    partner = make_user(5151, first_name="Борис")
    await _detractor_survey(partner)
    alert = await mgr.wait_text("Критик: 2/10")
    assert "Ключевой партнер" in alert["text"] and "@kate_m" in alert["text"]

    await mgr.send_text("/alerts")
    listed = (await mgr.wait_text("Открытые алерты (2)"))["text"]
    lines = [line for line in listed.splitlines() if "/10" in line]
    assert "⭐" in lines[0] and "2/10" in lines[0] and "1/10" in lines[1] and "⭐" not in lines[1]
    async with app.services.sessionmaker() as s:
        assert (await s.scalar(select(Partner.manager).where(Partner.id == key.id))) == "kate_m"


async def test_export_kpis_in_the_bot(app: App, tg: FakeTelegram) -> None:
    import csv
    import io
    from datetime import UTC, datetime

    from storage.models import campaign as c

    async with app.services.sessionmaker() as s:
        q = await add_campaign(s, "Весна", status=c.CLOSED, launched_at=datetime(2026, 4, 7, 8, tzinfo=UTC))
        for i in range(6):
            p = await add_partner(s, external_id=f"E-{i}")
            await add_response(s, q, p, 10 if i < 3 else 2)
            s.add(PartnerKpi(partner_id=p.id, month="2026-03", revenue=Decimal("10")))
            # Detractors go quiet after the campaign: no conversions, no revenue, no status.
            s.add(PartnerKpi(partner_id=p.id, month="2026-07", revenue=Decimal("0" if i >= 3 else "20"),
                             conversions=0 if i >= 3 else 1))  # fmt: skip
        await s.commit()
    mgr = manager(tg)
    await mgr.send_text("/export kpis")
    doc = await mgr.wait_text("Удержание по категориям NPS: кампаний — 1")
    rows = list(csv.DictReader(io.StringIO(tg.uploaded(doc["message_id"], -1_000_777).decode("utf-8-sig"))))
    by = {r["category"]: r for r in rows}
    assert (by["promoter"]["partners"], by["promoter"]["churned"]) == ("3", "0")
    assert (by["detractor"]["partners"], by["detractor"]["churned"], by["detractor"]["churn_rate"]) == (
        "3",
        "3",
        "1.0",
    )
    assert by["promoter"]["window_complete"] == "True" and by["promoter"]["revenue_after"] == "60.00"

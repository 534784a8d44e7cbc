"""Admins and managers who press Start (as the README tells them) are not partners (issue 26, item 1)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Partner, utcnow
from tests.e2e.test_sending_fanout import seed
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, invited

pytestmark = pytest.mark.asyncio

BASE = 7_600_000


@pytest.fixture(autouse=True)
def chatty_admin(tg: FakeTelegram) -> None:
    """The admin gets several replies in a row; per-chat flood control is not under test."""
    tg.per_chat_burst = 30


async def test_admin_and_manager_pressing_start_are_not_partners(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    partners = await seed(app, 3, base=BASE, segment="gold")
    SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)  # a member of the group
    manager = SimUser(tg, user_id=MANAGER_ID, first_name="Мария")

    await admin.send_text("/start")
    welcome = (await admin.wait_reply())["text"]
    assert "не партнёр" in welcome and "/start partner" in welcome
    await manager.send_text("/start")
    assert "не партнёр" in (await manager.wait_reply())["text"]
    await manager.send_text("/survey")
    assert "не учитывались" in (await manager.wait_reply())["text"]

    await admin.send_text("/partners")
    listing = (await admin.wait_reply())["text"]
    assert "(всего 3)" in listing and "без сегмента" not in listing, listing

    await admin.send_text("/newcampaign Пилот sample=100%")
    draft = (await admin.wait_reply())["text"]
    assert re.search(r"Аудитория сейчас: 3 партн", draft), draft
    cid = int(re.search(r"#(\d+)", draft).group(1))  # type: ignore[union-attr]
    await admin.press("🚀 Запустить")
    await admin.wait_text("рассылка завершена", timeout=15)
    assert await invited(app, cid) == set(partners)

    # An explicit opt-in makes the admin a partner: counted and invited from then on.
    await admin.send_text("/start partner")
    assert "участвуете в опросах как партнёр" in (await admin.wait_reply())["text"]
    await admin.send_text("/start")  # pressing Start again does not undo the opt-in
    await admin.wait_reply()
    async with app.services.sessionmaker() as s:
        role = await s.scalar(select(Partner.role).where(Partner.telegram_id == admin.user_id))
        manager_role = await s.scalar(select(Partner.role).where(Partner.telegram_id == MANAGER_ID))
    assert role == "partner" and manager_role == "staff"


async def test_admin_registered_before_the_upgrade_is_staff_after_start(
    tg: FakeTelegram, make_app, db_url: str
) -> None:  # type: ignore[no-untyped-def]
    from storage.db import create_engine, create_sessionmaker
    from storage.migrate import upgrade_async
    from tests.helpers import ADMIN_ID, add_partner

    await upgrade_async(db_url)
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:  # pressed Start under the old version
            await add_partner(s, telegram_id=ADMIN_ID, name="Admin", started_at=utcnow())
            await add_partner(s, telegram_id=7_600_900, name="Partner", started_at=utcnow())
            await s.commit()
    finally:
        await engine.dispose()
    app = await make_app()
    async with app.services.sessionmaker() as s:
        roles = {
            tg_id: role for tg_id, role in (await s.execute(select(Partner.telegram_id, Partner.role))).all()
        }
    assert roles == {ADMIN_ID: "staff", 7_600_900: None}

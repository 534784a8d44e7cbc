"""Set-up messages for admins and managers (issue 26, item 7): /help, a CSV without its caption,
how to become an admin, and errors that do not talk to a manager as to a partner."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.app import App
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID

pytestmark = pytest.mark.asyncio

CSV = b"external_id,name\nP1,Anna\n"


async def test_admin_help_lists_admin_and_manager_commands(app: App, admin: SimUser, make_user) -> None:
    await admin.send_text("/help")
    reply = (await admin.wait_reply())["text"]
    for command in (
        "/import",
        "/newcampaign",
        "/launch",
        "/campaigns",
        "/nps",
        "/report",
        "/export",
        "/themes",
    ):
        assert command in reply, command
    assert "/survey" in reply  # the partner's own commands are still there

    partner = make_user(8_200_001)
    await partner.send_text("/help")
    reply = (await partner.wait_reply())["text"]
    assert "/survey" in reply and "/newcampaign" not in reply and "/nps" not in reply


async def test_manager_help_in_group_and_private(tg: FakeTelegram, app: App) -> None:
    group = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    await group.send_text("/help")
    reply = (await group.wait_reply())["text"]
    assert "/nps" in reply and "/export" in reply and "/newcampaign" not in reply
    private = SimUser(tg, user_id=MANAGER_ID, first_name="Мария")
    await private.send_text("/help")
    reply = (await private.wait_reply())["text"]
    assert "/nps" in reply and "/alerts" in reply


async def test_csv_without_caption_tells_the_admin_to_add_it(app: App, admin: SimUser) -> None:
    await admin.send_document("partners.csv", CSV, mime_type="text/csv")
    reply = (await admin.wait_reply())["text"]
    assert "с подписью /import" in reply and "Ничего не импортировано" in reply
    async with app.services.sessionmaker() as s:
        assert (await s.scalar(text("SELECT count(*) FROM partners"))) == 0


async def test_refusal_tells_the_owner_how_to_become_admin(app: App, make_user) -> None:
    owner = make_user(8_200_002)
    await owner.send_text("/campaigns")
    reply = (await owner.wait_reply())["text"]
    assert "только администраторам" in reply and "/chatid" in reply and "ADMIN_IDS" in reply


async def test_manager_error_is_not_the_partners_comfort(tg: FakeTelegram, app: App) -> None:
    tg.per_chat_burst = 30
    async with app.services.sessionmaker() as s:  # a broken database under the manager's command
        await s.execute(text("ALTER TABLE alerts RENAME TO alerts_away"))
        await s.commit()
    try:
        group = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
        await group.send_text("/alerts")
        reply = (await group.wait_reply())["text"]
        assert "ответы сохранены" not in reply
        assert "ошибки на стороне бота" in reply and "журнале" in reply
    finally:
        async with app.services.sessionmaker() as s:
            await s.execute(text("ALTER TABLE alerts_away RENAME TO alerts"))
            await s.commit()

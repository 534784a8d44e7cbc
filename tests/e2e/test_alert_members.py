"""Alert buttons act only for admins and members of MANAGER_CHAT_ID (issue 12 item 9).

The managers' chat may be a public group: anyone reading it can press a button under an alert.
Membership is asked of Telegram (getChatMember) when a button is pressed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Alert, AlertMessage, InboxUpdate
from tests.e2e.test_alerts import PARTNER_ID, _detractor_survey, manager
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import ADMIN_ID, MANAGER_CHAT_ID

pytestmark = pytest.mark.asyncio


async def _handled(app: App, update_id: int) -> None:
    """Wait until the bot has handled (journaled and marked) one update."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        async with app.services.sessionmaker() as s:
            at = await s.scalar(select(InboxUpdate.processed_at).where(InboxUpdate.update_id == update_id))
        if at is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"update {update_id} not handled")


async def _alert_state(app: App) -> tuple[str, int]:
    async with app.services.sessionmaker() as s:
        row = await s.scalar(select(Alert))
        messages = len((await s.scalars(select(AlertMessage))).all())
    assert row is not None
    return row.status, messages


@pytest.mark.parametrize("status", ["left", "kicked"])
async def test_non_member_in_the_managers_chat_is_refused(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser], status: str
) -> None:
    partner = make_user(PARTNER_ID)
    await _detractor_survey(partner)
    alert = await manager(tg).wait_text("Критик: 2/10")
    reply_data, resolve_data = manager(tg).buttons_data(alert)

    reader = SimUser(tg, user_id=6060, first_name="Читатель", chat=MANAGER_CHAT_ID)
    tg.store.members[(MANAGER_CHAT_ID, reader.user_id)] = status  # sees the public group, not in it
    answer = await reader.press_data(resolve_data, message_id=alert["message_id"])
    assert "для менеджеров" in answer["text"]
    answer = await reader.press_data(reply_data, message_id=alert["message_id"])
    assert "для менеджеров" in answer["text"]
    # No conversation was opened for them: their next text is not relayed to the partner.
    before = len(partner.messages())
    update_id = await reader.send_text("Привет от постороннего")
    await _handled(app, update_id)
    assert await _alert_state(app) == ("open", 0)
    assert len(partner.messages()) == before
    assert tg.calls_for("getChatMember")


async def test_members_and_admins_may_act(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID)
    await _detractor_survey(partner)
    mgr = manager(tg)
    alert = await mgr.wait_text("Критик: 2/10")
    _reply, resolve_data = mgr.buttons_data(alert)
    tg.store.members[(MANAGER_CHAT_ID, mgr.user_id)] = "administrator"
    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение")
    # An admin from ADMIN_IDS acts even without being in the group.
    boss = SimUser(tg, user_id=ADMIN_ID, first_name="Босс", chat=MANAGER_CHAT_ID)
    tg.store.members[(MANAGER_CHAT_ID, ADMIN_ID)] = "left"
    await boss.press_data(resolve_data, message_id=alert["message_id"])
    await mgr.wait_text("Решено: Босс")
    assert (await _alert_state(app))[0] == "resolved"

"""After the managers' group became a supergroup, everything follows the new id: the managers'
command menu (now and after a restart), /chatid's answer and the note when the bot is added."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest

from bot.app import App
from tests.conftest import MakeApp
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID

pytestmark = pytest.mark.asyncio


def _menu_chats(tg: FakeTelegram, since: int = 0) -> list[int]:
    """The chat ids of setMyCommands calls scoped to one chat (after the first ``since`` calls)."""
    chats = []
    for call in tg.calls_for("setMyCommands")[since:]:
        scope: Any = call.params.get("scope")
        if isinstance(scope, str):
            scope = orjson.loads(scope)
        if isinstance(scope, dict) and scope.get("type") == "chat":
            chats.append(int(scope["chat_id"]))
    return chats


async def _upgrade(tg: FakeTelegram, admin: SimUser) -> tuple[int, SimUser]:
    mgr = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", language_code="ru", chat=MANAGER_CHAT_ID)
    new_id = tg.upgrade_to_supergroup(MANAGER_CHAT_ID, mgr.user)
    await admin.wait_text(f"MANAGER_CHAT_ID={new_id}")
    chat = {"id": new_id, "type": "supergroup", "title": "Managers"}
    return new_id, SimUser(tg, user_id=MANAGER_ID, first_name="Мария", language_code="ru", chat=chat)


async def test_managers_menu_follows_the_supergroup_now_and_after_a_restart(
    tg: FakeTelegram, make_app: MakeApp, stop_app: Callable[[App], Awaitable[None]], admin: SimUser
) -> None:
    app = await make_app()
    await tg.wait_until(lambda: MANAGER_CHAT_ID in _menu_chats(tg), timeout=10)  # beside polling's start
    before = len(tg.calls_for("setMyCommands"))
    new_id, _ = await _upgrade(tg, admin)
    # Both languages' manager menus in the new chat, at once (the old id is gone for good).
    await tg.wait_until(lambda: _menu_chats(tg, before).count(new_id) == 2, timeout=10)
    menu = [c for c in tg.calls_for("setMyCommands")[before:] if str(new_id) in str(c.params.get("scope"))]
    assert all(c.ok for c in menu) and "nps" in str(menu[0].params.get("commands"))

    await stop_app(app)
    restart = len(tg.calls_for("setMyCommands"))
    await make_app()  # MANAGER_CHAT_ID still names the old group: the bot remembers the move
    await tg.wait_until(lambda: _menu_chats(tg, restart).count(new_id) == 2, timeout=10)
    chats = _menu_chats(tg, restart)
    assert new_id in chats and MANAGER_CHAT_ID not in chats


async def test_chatid_in_the_supergroup_says_it_is_the_managers_chat(
    app: App, tg: FakeTelegram, admin: SimUser
) -> None:
    new_id, in_super = await _upgrade(tg, admin)
    await in_super.send_text("/chatid")
    text = (await in_super.wait_text("чат менеджеров"))["text"]
    assert f"Id этого чата: {new_id}" in text
    assert f"MANAGER_CHAT_ID={new_id}" in text and f"MANAGER_CHAT_ID={MANAGER_CHAT_ID}" in text
    assert "перезапустите" not in text  # not "set it and restart": the bot follows it already

    # The bot added to the supergroup (its first add there): the admins hear it is the managers' chat.
    owner = {"id": 7_000_000_004, "is_bot": False, "first_name": "Owner"}
    tg.push_update(
        {
            "my_chat_member": {
                "chat": {"id": new_id, "type": "supergroup", "title": "Managers"},
                "from": owner,
                "date": 1_700_000_000,
                "old_chat_member": {"status": "left", "user": tg.bot_user},
                "new_chat_member": {"status": "member", "user": tg.bot_user},
            }
        }
    )
    await admin.wait_text("это чат менеджеров")


async def test_chatid_in_the_configured_managers_chat(app: App, tg: FakeTelegram) -> None:
    mgr = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", language_code="ru", chat=MANAGER_CHAT_ID)
    await mgr.send_text("/chatid")
    text = (await mgr.wait_reply())["text"]
    assert f"Id этого чата: {MANAGER_CHAT_ID}" in text and "Это чат менеджеров (MANAGER_CHAT_ID)" in text

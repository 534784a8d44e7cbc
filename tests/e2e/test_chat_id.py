"""A newcomer finds the ids the settings need: /chatid anywhere, a note when added to a group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.app import App
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import BOT_USERNAME, MANAGER_CHAT_ID

GROUP_ID = -1_001_234_567_890  # a supergroup's id: 13 digits, more than 32 bits
ADDER_ID = 7_000_000_004


async def test_chatid_in_a_private_chat_gives_the_user_id(
    app: App, make_user: Callable[..., SimUser]
) -> None:
    user = make_user(7_000_000_001, language_code="en")  # not a partner: anyone may ask
    await user.send_text("/chatid")
    reply = (await user.wait_reply())["text"]
    assert "Your Telegram id: 7000000001" in reply and "ADMIN_IDS" in reply


async def test_chatid_in_a_group_gives_the_group_id(app: App, tg: FakeTelegram) -> None:
    member = SimUser(tg, user_id=7_000_000_002, first_name="M", chat=GROUP_ID)
    await member.send_text(f"/chatid@{BOT_USERNAME}")
    reply = (await member.wait_reply())["text"]
    assert f"Id этого чата: {GROUP_ID}" in reply and f"MANAGER_CHAT_ID={GROUP_ID}" in reply
    # The managers' own group is answered too (an admin checking the setting).
    manager = SimUser(tg, user_id=7_000_000_003, first_name="Mgr", chat=MANAGER_CHAT_ID)
    await manager.send_text("/chatid")
    assert str(MANAGER_CHAT_ID) in (await manager.wait_reply())["text"]


def _membership(tg: FakeTelegram, old: str, new: str, title: str = "Менеджеры <NPS> & Co") -> dict[str, Any]:
    adder = {"id": ADDER_ID, "is_bot": False, "first_name": "Owner"}
    return {
        "my_chat_member": {
            "chat": {"id": GROUP_ID, "type": "supergroup", "title": title},
            "from": adder,
            "date": 1_700_000_000,
            "old_chat_member": {"status": old, "user": tg.bot_user},
            "new_chat_member": {"status": new, "user": tg.bot_user},
        }
    }


async def test_admins_are_told_the_id_of_a_group_the_bot_joins(
    app: App, tg: FakeTelegram, admin: SimUser
) -> None:
    tg.push_update(_membership(tg, "left", "member"))
    note = (await admin.wait_text(str(GROUP_ID)))["text"]
    assert "«Менеджеры <NPS> & Co»" in note  # the title shown as written (escaped on the way)
    assert f"MANAGER_CHAT_ID={GROUP_ID}" in note
    assert tg.chat_messages(GROUP_ID) == []  # said privately, not in the group


async def test_no_note_when_the_bot_is_removed_or_promoted(
    app: App, tg: FakeTelegram, admin: SimUser
) -> None:
    tg.push_update(_membership(tg, "member", "left"))
    tg.push_update(_membership(tg, "member", "administrator"))
    # The barrier: the same user's next update is handled only after those two (one user's
    # updates are handled in order), so once it is answered they are done.
    owner = SimUser(tg, user_id=ADDER_ID, first_name="Owner")
    await owner.send_text("/chatid")
    await owner.wait_reply()
    assert admin.messages() == []

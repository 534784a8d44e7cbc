"""Telegram's chat lifecycle through the fake Bot API, in Telegram's shapes and error texts:
the managers' group upgraded to a supergroup, the bot removed and added back, edits, captions,
commands for other bots, button presses answered too late, erasure of a partner already alerted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.app import App
from bot.digest.deliver import push_weekly
from storage.models import Alert, Response
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID

pytestmark = pytest.mark.asyncio

PARTNER_ID = 4343
COMMENT = "Выплаты задерживают второй месяц"


def manager(tg: FakeTelegram, chat: int | dict[str, object] = MANAGER_CHAT_ID) -> SimUser:
    """A manager acting in the managers' chat."""
    return SimUser(tg, user_id=MANAGER_ID, first_name="Мария", language_code="ru", chat=chat)


async def detractor(user: SimUser, comment: str = COMMENT) -> None:
    """A partner who gives 2/10 and a comment, and finishes the survey."""
    await user.send_text("/start")
    await user.wait_text("/survey")
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("2")
    await user.wait_text("Что нам стоит улучшить")
    await user.send_text(comment)
    await user.wait_text("Какие области", timeout=15)
    await user.press("Скорость выплат")
    await user.press("Готово")
    await user.wait_text("Спасибо! Ваш ответ сохранен")


async def test_upgraded_group_is_followed_and_admins_told(
    app: App, tg: FakeTelegram, admin: SimUser, make_user: Callable[..., SimUser]
) -> None:
    mgr = manager(tg)
    new_id = tg.upgrade_to_supergroup(MANAGER_CHAT_ID, mgr.user)
    told = await admin.wait_text(f"MANAGER_CHAT_ID={new_id}")
    assert "супергруппой" in told["text"]

    partner = make_user(PARTNER_ID, first_name="Олег")
    await detractor(partner)
    in_super = manager(tg, {"id": new_id, "type": "supergroup", "title": "Managers"})
    alert = await in_super.wait_text("Критик: 2/10")
    assert COMMENT in alert["text"]
    assert not [m for m in mgr.messages() if "Критик" in m.get("text", "")]  # nothing to the dead id
    # Managers in the supergroup are managers: /alerts answers there.
    await in_super.send_text("/alerts")
    await in_super.wait_text("Открытые алерты (1)")
    assert sum("MANAGER_CHAT_ID" in (m.get("text") or "") for m in admin.messages()) == 1  # one line


async def test_alerts_posted_before_the_upgrade_still_work_in_the_supergroup(
    app: App, tg: FakeTelegram, admin: SimUser, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег")
    mgr = manager(tg)
    await detractor(partner)
    alert = await mgr.wait_text("Критик: 2/10")
    new_id = tg.upgrade_to_supergroup(MANAGER_CHAT_ID, mgr.user)
    await admin.wait_text(f"MANAGER_CHAT_ID={new_id}")
    assert tg.message(new_id, alert["message_id"]) is not None  # the history moved along
    in_super = manager(tg, {"id": new_id, "type": "supergroup", "title": "Managers"})
    answer = await in_super.press("✅ Решено")
    assert "больше нет" not in (answer.get("text") or "")
    await in_super.wait_text("Решено")


async def test_upgrade_learned_from_the_error_resends_the_digest(
    app: App, tg: FakeTelegram, admin: SimUser
) -> None:
    new_id = -100_777_000_1
    tg.store.remember_chat({"id": new_id, "type": "supergroup", "title": "Managers"})
    tg.migrated[MANAGER_CHAT_ID] = new_id  # no service message reached the bot: only the 400 says it
    digest = await push_weekly(app.services)
    assert digest is not None
    sent = tg.chat_messages(new_id)
    assert len(sent) >= len(digest.parts)  # resent to the supergroup, nothing dropped
    failed = [c for c in tg.calls_for("sendMessage", MANAGER_CHAT_ID) if not c.ok]
    assert failed and "upgraded to a supergroup" in str(failed[0].response)
    await admin.wait_text(f"MANAGER_CHAT_ID={new_id}")


async def test_removed_bot_keeps_alerts_and_digests_until_added_back(
    app: App, tg: FakeTelegram, admin: SimUser, make_user: Callable[..., SimUser]
) -> None:
    mgr = manager(tg)
    tg.remove_bot(MANAGER_CHAT_ID, mgr.user, kicked=True)
    await admin.wait_text("Бота удалили из чата менеджеров")

    partner = make_user(PARTNER_ID, first_name="Олег")
    await detractor(partner)
    digest = await push_weekly(app.services)
    assert digest is not None
    assert not mgr.messages()  # nothing could be posted...
    async with app.services.sessionmaker() as s:
        alert = await s.scalar(select(Alert))
    assert alert is not None and alert.message_id is None  # ...and nothing was dropped

    tg.add_bot(MANAGER_CHAT_ID, mgr.user)
    back = await admin.wait_text("Бот снова в чате менеджеров")
    assert "алертов — 1" in back["text"] and "дайджестов — 1" in back["text"]
    await mgr.wait_text("Критик: 2/10")
    await tg.wait_until(lambda: len(mgr.messages()) >= 1 + len(digest.parts), 10, "digest not posted")
    removed_lines = [m for m in admin.messages() if "удалили" in (m.get("text") or "")]
    assert len(removed_lines) == 1  # one clear line, not one per failed post


async def test_edited_message_is_answered_and_the_answer_kept(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID)
    await partner.send_text("/start")
    await partner.wait_text("/survey")
    await partner.send_text("/survey")
    await partner.wait_reply()
    await partner.press("8")
    await partner.wait_text("Напишите пару слов")
    await partner.send_text("Хорошо, но медленно")
    await partner.wait_text("Какие области", timeout=15)
    mine = [
        m for m in tg.chat_messages(PARTNER_ID, include_user=True) if m.get("text") == "Хорошо, но медленно"
    ]
    await partner.edit_message(mine[-1]["message_id"], "Хорошо, но очень медленно")
    await partner.wait_text("отредактировали")
    async with app.services.sessionmaker() as s:
        comment = await s.scalar(select(Response.comment))
    assert comment == "Хорошо, но медленно"


async def test_photo_caption_is_the_comment(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID)
    await partner.send_text("/start")
    await partner.wait_text("/survey")
    await partner.send_text("/survey")
    await partner.wait_reply()
    await partner.press("3")
    await partner.wait_text("Что нам стоит улучшить")
    await partner.send_photo(caption="Вот скриншот: выплата висит неделю")
    await partner.wait_text("Какие области", timeout=15)
    async with app.services.sessionmaker() as s:
        comment = await s.scalar(select(Response.comment))
    assert comment == "Вот скриншот: выплата висит неделю"


async def test_other_bots_command_is_not_the_reply(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег")
    mgr = manager(tg)
    await detractor(partner)
    await mgr.wait_text("Критик: 2/10")
    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение для Олег")
    before = len(partner.messages())
    await mgr.send_text("/stats@other_bot")
    await mgr.send_text("Добрый день, разберёмся")
    await partner.wait_text("Добрый день, разберёмся")
    assert not [m for m in partner.messages()[before:] if "/stats" in (m.get("text") or "")]


async def test_too_old_button_presses_are_still_handled(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID)
    await partner.send_text("/start")
    await partner.wait_text("/survey")
    tg.callback_timeout = -1  # every press reaches the bot after Telegram stopped waiting
    await partner.send_text("/language")
    await partner.wait_text("Choose your language")
    await partner.press("Русский", wait_answer=False)  # a button outside the survey
    await partner.wait_text("Язык: русский")
    await partner.send_text("/survey")
    await partner.wait_reply()
    await partner.press("9", wait_answer=False)
    await partner.wait_text("Напишите пару слов")  # the score was taken: the follow-up came
    too_old = [c for c in tg.calls_for("answerCallbackQuery") if not c.ok]
    assert len(too_old) == 2 and "query is too old" in str(too_old[0].response)
    assert not [m for m in partner.messages() if "Что-то пошло не так" in (m.get("text") or "")]


async def test_erasure_rewrites_the_posted_alert(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег", username="oleg_cpa")
    mgr = manager(tg)
    await detractor(partner)
    alert = await mgr.wait_text("Критик: 2/10")
    assert "Олег" in alert["text"]
    await partner.send_text("/forget_me")
    await partner.wait_reply()
    await partner.press("Да, удалить мои данные")
    await partner.wait_text("Ваши данные удалены")
    await mgr.wait_text("удалил свои данные")
    shown = tg.message(MANAGER_CHAT_ID, alert["message_id"])
    assert shown is not None
    text = shown["text"]
    assert "Олег" not in text and "oleg_cpa" not in text and COMMENT not in text
    assert "2/10" in text

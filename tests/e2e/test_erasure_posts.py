"""Erasure reaches every message the bot posted that showed the partner, not only the alert:
the Reply prompt naming them, their replies relayed into the managers' chat (a long one in two
parts), the /alerts list. Each is edited to one line saying why, or deleted when Telegram
refuses the edit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.digest.deliver import push_weekly
from storage.models import PartnerPost
from tests.e2e.test_chat_lifecycle import COMMENT, PARTNER_ID, detractor, manager
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID

pytestmark = pytest.mark.asyncio

NAME, USERNAME = "Олегсандр", "oleg_erased_cpa"
REPLY = "Выплату так и не получил, номер заявки 77-41"
LONG_REPLY = "Подробности по заявке: " + "очень длинный текст партнера " * 180  # > 4,096: two parts


def _shown(tg: FakeTelegram) -> list[str]:
    """The texts of the bot's messages in the managers' chat, as Telegram shows them now."""
    return [m.get("text") or m.get("caption") or "" for m in tg.chat_messages(MANAGER_CHAT_ID)]


async def test_erasure_rewrites_relays_prompts_and_lists_in_the_managers_chat(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name=NAME, username=USERNAME)
    mgr = manager(tg)
    await detractor(partner)
    await mgr.wait_text("Критик: 2/10")
    await mgr.press("✉️ Ответить")
    await mgr.wait_text(f"напишите сообщение для {NAME}")
    await mgr.send_text("Здравствуйте! Разберёмся.")
    await partner.wait_text("Сообщение от команды партнерской программы")
    await mgr.wait_text("Отправлено партнеру")
    await partner.send_text(REPLY)
    await partner.wait_text("Передали команде")
    await partner.send_text(LONG_REPLY)
    await partner.wait_text("Передали команде")
    await mgr.send_text("/alerts")
    await mgr.wait_text("Открытые алерты (1)")
    before = _shown(tg)
    words = (NAME, USERNAME, COMMENT, REPLY, "очень длинный текст партнера")
    for word in words:
        assert any(word in text for text in before), word
    shown = len(before)

    # The first message after the alert cannot be edited (Telegram says so): it is deleted.
    tg.inject_failure("editMessageText", "echo400", count=1, chat_id=MANAGER_CHAT_ID, skip=1)
    await partner.send_text("/forget_me")
    await partner.wait_reply()
    await partner.press("Да, удалить мои данные")
    await partner.wait_text("Ваши данные удалены")
    await tg.wait_until(lambda: sum("Удалено: партнер" in t for t in _shown(tg)) == 5, timeout=10)

    after = _shown(tg)
    for word in words:
        assert not [text for text in after if word in text], word
    assert "2/10" in after[0]  # the alert stays, without the partner
    assert len(after) == shown - 1  # the prompt deleted; the rest edited in place
    # The relay (1 part), the long relay (3 parts) and the /alerts list: one line each now.
    assert sum(text.startswith("Удалено: партнер удалил свои данные") for text in after) == 5
    async with app.services.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(PartnerPost)) == 0


async def test_erasure_rewrites_the_digest_parts_that_quote_the_partner(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser], admin: SimUser
) -> None:
    partner = make_user(PARTNER_ID, first_name=NAME, username=USERNAME)
    mgr = manager(tg)
    await detractor(partner)
    await mgr.wait_text("Критик: 2/10")
    digest = await push_weekly(app.services)
    assert digest is not None and not digest.empty
    before = _shown(tg)
    quoting = [text for text in before[1:] if COMMENT in text]
    assert quoting and any(NAME in text for text in quoting)  # the digest quotes them, by name
    await admin.send_text("/report")  # the full report, in the admin's private chat
    await admin.wait_text(COMMENT, timeout=30)

    await partner.send_text("/forget_me")
    await partner.wait_reply()
    await partner.press("Да, удалить мои данные")
    await partner.wait_text("Ваши данные удалены")

    def showing(chat: int) -> list[str]:
        texts = [m.get("text") or "" for m in tg.chat_messages(chat)]
        return [t for t in texts if COMMENT in t or NAME in t]

    await tg.wait_until(lambda: not showing(MANAGER_CHAT_ID) and not showing(admin.chat_id), timeout=10)
    after = _shown(tg)
    assert len(after) == len(before)  # edited in place
    # The digest's other parts (those not showing the partner) are left as they were.
    untouched = [text for text in before[1:] if COMMENT not in text and NAME not in text]
    assert all(text in after for text in untouched)


async def test_a_digest_held_while_the_bot_was_out_loses_the_erased_partner(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser], admin: SimUser
) -> None:
    mgr = manager(tg)
    tg.remove_bot(MANAGER_CHAT_ID, mgr.user, kicked=True)
    await admin.wait_text("Бота удалили из чата менеджеров")
    partner = make_user(PARTNER_ID, first_name=NAME, username=USERNAME)
    await detractor(partner)
    digest = await push_weekly(app.services)
    assert digest is not None and any(COMMENT in part for part in digest.parts)  # held, quoting them

    await partner.send_text("/forget_me")
    await partner.wait_reply()
    await partner.press("Да, удалить мои данные")
    await partner.wait_text("Ваши данные удалены")
    tg.add_bot(MANAGER_CHAT_ID, mgr.user)
    await admin.wait_text("Бот снова в чате менеджеров")
    await tg.wait_until(lambda: len(_shown(tg)) >= len(digest.parts), 10, "held digest not posted")
    shown = _shown(tg)
    assert not [t for t in shown if COMMENT in t or NAME in t or USERNAME in t]
    assert any("Удалено: партнер удалил свои данные" in t for t in shown)

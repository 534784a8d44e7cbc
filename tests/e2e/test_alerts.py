"""Detractor alerts end to end: alert → Reply → partner's answer → Resolved, through the fake Telegram."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from scheduler.digest_jobs import detractor_alerts_job
from storage.models import Alert, AlertMessage, Response
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID

pytestmark = pytest.mark.asyncio

PARTNER_ID = 4242


def manager(tg: FakeTelegram, user_id: int = MANAGER_ID, name: str = "Мария") -> SimUser:
    """A manager acting in the managers' group chat."""
    return SimUser(tg, user_id=user_id, first_name=name, language_code="ru", chat=MANAGER_CHAT_ID)


async def _detractor_survey(
    user: SimUser, score: str = "2", comment: str | None = "Выплаты задерживают <второй> месяц"
) -> None:
    await user.send_text("/start")
    await user.wait_text("/survey")
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press(score)
    await user.wait_text("Что нам стоит улучшить")
    if comment is None:
        return
    await user.send_text(comment)
    await user.wait_text("Какие области", timeout=15)  # the first comment trains the themes model
    await user.press("Скорость выплат")
    await user.press("Готово")
    await user.wait_text("Спасибо! Ваш ответ сохранен")


async def _count(app: App, model: type) -> int:
    async with app.services.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_alert_reply_answer_resolve_loop(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег", username="oleg_cpa")
    mgr = manager(tg)
    await _detractor_survey(partner)

    alert = await mgr.wait_text("Критик: 2/10")
    text = alert["text"]
    assert "Олег" in text and "@oleg_cpa" in text
    assert "Выплаты задерживают <второй> месяц" in text  # escaped on the way, shown as written
    assert "Скорость выплат" in text
    assert mgr.buttons(alert) == ["✉️ Ответить", "✅ Решено"]

    await mgr.send_text("/alerts")
    listed = await mgr.wait_text("Открытые алерты (1)")
    assert "2/10 — Олег @oleg_cpa" in listed["text"]

    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение для Олег")
    # ForceReply: in a group with privacy mode, the manager's answer must reach the bot.
    prompt_call = tg.calls_for("sendMessage", MANAGER_CHAT_ID)[-1]
    assert prompt_call.params["reply_markup"]["force_reply"] is True

    await mgr.send_text("Здравствуйте! Разберёмся с выплатами & вернёмся сегодня.")
    relayed = await partner.wait_text("Сообщение от команды партнерской программы")
    assert "Разберёмся с выплатами & вернёмся сегодня." in relayed["text"]
    await mgr.wait_text("Отправлено партнеру")

    await partner.send_text("Спасибо, жду <ответа>")
    back = await mgr.wait_text("Ответ партнера")
    assert "Спасибо, жду <ответа>" in back["text"]
    assert back["reply_to_message"]["message_id"] == alert["message_id"]
    await partner.wait_text("Передали команде")

    await mgr.press("✅ Решено")
    resolved = await mgr.wait_text("Решено: Мария")
    assert resolved["message_id"] == alert["message_id"]
    assert not resolved.get("reply_markup", {}).get("inline_keyboard")
    async with app.services.sessionmaker() as s:
        row = await s.scalar(select(Alert))
        assert row is not None and row.status == "resolved"
        assert row.resolved_by == MANAGER_ID and row.resolved_at is not None
    assert await _count(app, AlertMessage) == 2
    await mgr.send_text("/alerts")
    await mgr.wait_text("Открытых алертов нет")

    # The conversation is closed: the partner's next text is not relayed any more.
    before = len(mgr.messages())
    await partner.send_text("А ещё вопрос")
    await partner.wait_text("не понял")
    assert len(mgr.messages()) == before


async def test_only_one_alert_per_response_and_no_alert_for_others(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    happy = make_user(PARTNER_ID + 1, first_name="Анна")
    await happy.send_text("/start")
    await happy.wait_text("/survey")
    await happy.send_text("/survey")
    await happy.wait_reply()
    await happy.press("9")
    await happy.wait_text("Что вы больше всего цените")

    sad = make_user(PARTNER_ID)
    mgr = manager(tg)  # before the alert can arrive: it waits for what is sent after this line
    await _detractor_survey(sad, score="6")
    await mgr.wait_text("Критик: 6/10")
    # The sweep finds nothing more to raise: one alert per response, none for a promoter.
    async with app.services.sessionmaker() as s:
        answered = await s.scalar(select(func.max(Response.answered_at)))
    assert answered is not None
    await detractor_alerts_job(now=answered + timedelta(hours=1))
    assert await _count(app, Alert) == 1
    assert sum("Критик" in (m.get("text") or "") for m in mgr.messages()) == 1


async def test_delayed_alert_for_partner_who_stopped_after_the_score(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID)
    await _detractor_survey(partner, score="3", comment=None)  # stops after the score
    async with app.services.sessionmaker() as s:
        answered = await s.scalar(select(Response.answered_at))
    assert answered is not None
    mgr = manager(tg)

    await detractor_alerts_job(now=answered + timedelta(minutes=14))
    assert await _count(app, Alert) == 0  # DETRACTOR_ALERT_DELAY_MINUTES (15) not over yet

    await detractor_alerts_job(now=answered + timedelta(minutes=16))
    alert = await mgr.wait_text("Критик: 3/10")
    assert "Остановился после оценки" in alert["text"]
    await detractor_alerts_job(now=answered + timedelta(minutes=30))
    assert await _count(app, Alert) == 1


async def test_alert_buttons_refused_outside_the_managers_chat(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID)
    mgr = manager(tg)  # before the alert can arrive: it waits for what is sent after this line
    await _detractor_survey(partner)
    alert = await mgr.wait_text("Критик: 2/10")
    data = mgr.buttons_data(alert)
    stranger = make_user(5555, first_name="Чужой")
    answer = await stranger.press_data(data[1])  # "Resolved" from a private chat
    assert "для менеджеров" in answer["text"]
    forged = await mgr.press_data(data[1].rsplit(":", 1)[0] + ":999", message_id=alert["message_id"])
    assert "больше нет" in forged["text"]  # the id does not match the pressed alert
    async with app.services.sessionmaker() as s:
        row = await s.scalar(select(Alert))
        assert row is not None and row.status == "open"


async def test_a_partner_reply_telegram_refuses_is_kept_and_the_partner_told(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег")
    mgr = manager(tg)
    await _detractor_survey(partner)
    await mgr.wait_text("Критик: 2/10")
    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение для Олег")
    await mgr.send_text("Расскажите подробнее?")
    await partner.wait_text("Расскажите подробнее?")
    await mgr.wait_text("Отправлено партнеру")

    tg.inject_failure("sendMessage", "5xx", count=1, chat_id=MANAGER_CHAT_ID)
    await partner.send_text("Выплата застряла на 40 дней")
    told = await partner.wait_text("не получилось передать")
    assert "отправьте его еще раз" in told["text"]
    async with app.services.sessionmaker() as s:  # the text is kept with the conversation
        texts = (await s.scalars(select(AlertMessage.text))).all()
    assert "Выплата застряла на 40 дней" in texts
    await partner.send_text("Выплата застряла на 40 дней")  # sent again: now it reaches them
    assert "Выплата застряла" in (await mgr.wait_text("Ответ партнера"))["text"]
    await partner.wait_text("Передали команде")

"""The partner's survey end to end through the fake Telegram server."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.app import App
from storage.models import InboxUpdate, Partner, Response
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.asyncio

Q1_RU = "Насколько вероятно, что вы порекомендуете нашу партнерскую программу"
Q1_EN = "How likely are you to recommend our partner program to a colleague or friend?"


async def _response_of(app: App, telegram_id: int) -> Response | None:
    async with app.services.sessionmaker() as s:
        partner = await s.scalar(select(Partner).where(Partner.telegram_id == telegram_id))
        if partner is None:
            return None
        return await s.scalar(
            select(Response).options(selectinload(Response.drivers)).where(Response.partner_id == partner.id)
        )


async def _count_responses(app: App) -> int:
    async with app.services.sessionmaker() as s:
        return int(await s.scalar(select(func.count(Response.id))) or 0)


@pytest.mark.parametrize(
    ("score", "question"),
    [
        (10, "Что вы больше всего цените"),
        (9, "Что вы больше всего цените"),
        (8, "чтобы вы порекомендовали нас"),  # passives: what would make them recommend us
        (7, "чтобы вы порекомендовали нас"),
        (3, "Что нам стоит улучшить"),
        (0, "Что нам стоит улучшить"),
    ],
)
async def test_full_survey_each_category(app: App, make_user, score: int, question: str) -> None:
    user = make_user(1001)
    await user.send_text("/start")
    await user.wait_text("/survey")
    await user.send_text("/survey")
    q1 = await user.wait_reply()
    assert Q1_RU in q1["text"]
    assert "0 — совершенно не вероятно" in q1["text"] and "10 — крайне вероятно" in q1["text"]
    assert user.buttons(q1) == [str(n) for n in range(11)]

    answer = await user.press(str(score))
    assert answer is not None  # acknowledged
    q2 = await user.wait_text(question)
    stored = await _response_of(app, 1001)
    assert stored is not None and stored.score == score  # stored before the partner goes on

    await user.send_text("Выплаты <быстрые> & удобные")
    await user.wait_text("Какие области")
    # Question 2 lost its skip button: its message id, written after it went out, was kept.
    second = next(m for m in user.messages() if m["message_id"] == q2["message_id"])
    assert not second.get("reply_markup")
    await user.press("Скорость выплат")
    await has_button(user, "✓ Скорость выплат")
    await user.press("Поддержка")
    await has_button(user, "✓ Поддержка")
    await user.press("✓ Поддержка")  # untoggle
    await has_button(user, "Поддержка")
    await user.press("Готово")
    thanks = await user.wait_text("Спасибо! Ваш ответ сохранен")
    assert thanks is not None and q2 is not None

    stored = await _response_of(app, 1001)
    assert stored is not None
    assert stored.score == score
    assert stored.comment == "Выплаты <быстрые> & удобные"
    assert [(d.area, d.campaign_id) for d in stored.drivers] == [("payouts", stored.campaign_id)]
    assert stored.stage == "done" and stored.completed_at is not None
    # The question message now shows the chosen score and has no keyboard.
    first = user.messages()[q1_index(user, q1)]
    assert f"Ваша оценка: {score}" in first["text"]
    assert not first.get("reply_markup")
    # Each next question was held on its update's journal row only until it went out: none is
    # left for a restart to send again.
    async with app.services.sessionmaker() as s:
        assert (
            await s.scalars(select(InboxUpdate.update_id).where(InboxUpdate.reply.is_not(None)))
        ).all() == []
        assert await s.scalar(select(func.count()).select_from(InboxUpdate)) >= 3


async def has_button(user, label: str) -> None:
    await user.srv.wait_until(lambda: label in user.buttons(), timeout=5)


def q1_index(user, q1) -> int:
    ids = [m["message_id"] for m in user.messages()]
    return ids.index(q1["message_id"])


async def test_english_partner_and_typed_score(app: App, make_user) -> None:
    user = make_user(1002, first_name="Ann", language_code="en")
    await user.send_text("/survey")
    q1 = await user.wait_reply()
    assert Q1_EN in q1["text"] and "0 — not at all likely" in q1["text"]
    await user.send_text("9")
    await user.wait_text("What do you value most")
    await user.press("Skip")
    await user.wait_text("Which areas influenced your score most?")
    await user.press("Commission size")
    await user.press("Done")
    await user.wait_text("Thank you! Your answer is saved")
    stored = await _response_of(app, 1002)
    assert stored is not None and stored.score == 9 and stored.comment is None
    assert [d.area for d in stored.drivers] == ["commission"]


@pytest.mark.parametrize(
    ("score", "asked", "not_asked"),
    [
        ("10", "What do you value most", "recommend us"),
        ("8", "What would make you recommend us?", "improve first"),
        ("7", "What would make you recommend us?", "improve first"),
        ("6", "What should we improve first?", "recommend us"),
    ],
)
async def test_each_category_gets_its_own_follow_up(
    app: App, make_user, score: str, asked: str, not_asked: str
) -> None:
    """Three categories, three questions: a passive (7-8) is asked what would make them
    recommend us, not the detractors' "what should we improve first"."""
    user = make_user(1010, first_name="Pat", language_code="en")
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press(score)
    question = await user.wait_text(asked)
    assert not_asked not in question["text"]
    await user.send_text("More webinars")
    await user.wait_text("Which areas influenced your score most?")
    # The question keeps its own wording once answered (its Skip button is gone).
    edited = next(m for m in user.messages() if m["message_id"] == question["message_id"])
    assert asked in edited["text"] and not edited.get("reply_markup")


async def test_score_counts_even_if_partner_stops(app: App, make_user) -> None:
    user = make_user(1003)
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("4")
    await user.wait_text("Что нам стоит улучшить")
    stored = await _response_of(app, 1003)
    assert stored is not None and stored.score == 4 and stored.stage == "comment"


async def test_changing_score_before_finishing_updates_one_row(app: App, make_user) -> None:
    user = make_user(1004)
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("5")
    await user.wait_text("Что нам стоит улучшить")
    await user.press("10")
    await user.wait_text("Что вы больше всего цените")
    stored = await _response_of(app, 1004)
    assert stored is not None and stored.score == 10
    assert await _count_responses(app) == 1


async def test_answering_again_keeps_the_earlier_feedback(app: App, make_user) -> None:
    """Ongoing feedback: each /survey is its own response; the latest is the one shown."""
    user = make_user(1005)
    for score, comment in (("6", "медленно"), ("9", "стало лучше")):
        await user.send_text("/survey")
        await user.wait_text("Насколько вероятно")
        await user.press(score)
        await user.wait_reply()
        await user.send_text(comment)
        await user.wait_text("Какие области")
        await user.press("Готово")
        await user.wait_text("Спасибо! Ваш ответ сохранен")
    async with app.services.sessionmaker() as s:
        rows = (await s.execute(select(Response.score, Response.comment).order_by(Response.id))).all()
    assert [tuple(r) for r in rows] == [(6, "медленно"), (9, "стало лучше")]


async def test_promoter_gets_referral_link(make_app, make_user) -> None:
    await make_app(referral_url="https://partners.example.com/ref?a=1&b=2")
    user = make_user(1006)
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("10")
    await user.wait_reply()
    await user.press("Пропустить")
    await user.wait_text("Какие области")
    await user.press("Готово")
    msg = await user.wait_text("ссылка для приглашения")
    assert "https://partners.example.com/ref?a=1&b=2" in msg["text"]


async def test_detractor_gets_no_referral_link(make_app, make_user) -> None:
    await make_app(referral_url="https://partners.example.com/ref")
    user = make_user(1007)
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("2")
    await user.wait_reply()
    await user.press("Пропустить")
    await user.wait_text("Какие области")
    await user.press("Готово")
    await user.wait_text("Спасибо! Ваш ответ сохранен")
    assert not any("ссылка для приглашения" in (m.get("text") or "") for m in user.messages())


async def test_command_menus_registered_in_both_languages(app: App, tg: FakeTelegram) -> None:
    # Published beside polling's start: default, admin and managers' menus in ru and en, and
    # the default one for other languages.
    await tg.wait_until(lambda: len(tg.calls_for("setMyCommands")) >= 7, timeout=10)
    calls = tg.calls_for("setMyCommands")
    langs = {c.params.get("language_code") for c in calls}
    assert {"ru", "en"} <= langs
    admin_scoped = [c for c in calls if "chat" in str(c.params.get("scope"))]
    assert admin_scoped, "admins get their own command scope"
    default_ru = [
        c
        for c in calls
        if c.params.get("language_code") == "ru" and "default" in str(c.params.get("scope", "default"))
    ]
    names = {cmd["command"] for cmd in default_ru[0].params["commands"]}
    assert "survey" in names and "newcampaign" not in names

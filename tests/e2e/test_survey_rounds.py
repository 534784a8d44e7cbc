"""Each survey round tracks its own question message, and each round of ongoing feedback is a
response of its own (issue 12, items 1 and 2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.app import App
from storage.models import Response
from tests.fakebot import FakeTelegram

Q1 = "Насколько вероятно"


def q1_messages(user: Any) -> list[dict[str, Any]]:
    return [m for m in user.messages() if Q1 in (m.get("text") or "")]


async def _round(user: Any, score: str, comment: str, *, typed: bool) -> dict[str, Any]:
    """One whole survey through /survey; returns this round's question-1 message as it ends."""
    await user.send_text("/survey")
    q1 = await user.wait_text(Q1)
    if typed:
        await user.send_text(score)
    else:
        await user.press(score)
    await user.wait_text(
        "Спасибо!"
        if int(score) >= 9
        else "чтобы вы порекомендовали нас"  # a passive's question 2
        if int(score) >= 7
        else "Что нам стоит улучшить"
    )
    await user.send_text(comment)
    drivers = await user.wait_text("Какие области")
    assert not any(label.startswith("✓") for label in user.buttons(drivers))  # nothing preselected
    await user.press("Скорость выплат")
    await user.press("Готово")
    await user.wait_text("Ваш ответ сохранен")
    return next(m for m in user.messages() if m["message_id"] == q1["message_id"])


async def test_second_ongoing_round_keeps_the_first_and_edits_its_own_question(
    tg: FakeTelegram, app: App, make_user: Any
) -> None:
    user = make_user(4201)
    first_q1 = await _round(user, "5", "первый комментарий", typed=False)
    before = dict(first_q1)
    second_q1 = await _round(user, "7", "второй комментарий", typed=True)
    assert second_q1["message_id"] != first_q1["message_id"]
    assert "7" in second_q1["text"]
    # The first round's question was not touched by the second round (no keyboard given back).
    now_first = next(m for m in user.messages() if m["message_id"] == first_q1["message_id"])
    assert now_first.get("text") == before.get("text")
    assert now_first.get("reply_markup") == before.get("reply_markup")
    edited = {c.params.get("message_id") for c in tg.calls_for("editMessageText", user.chat_id)}
    assert str(second_q1["message_id"]) in {str(m) for m in edited}

    async with app.services.sessionmaker() as s:
        rows = (
            await s.scalars(select(Response).options(selectinload(Response.drivers)).order_by(Response.id))
        ).all()
    assert [(r.score, r.comment, r.stage) for r in rows] == [
        (5, "первый комментарий", "done"),
        (7, "второй комментарий", "done"),
    ]
    assert [[d.area for d in r.drivers] for r in rows] == [["payouts"], ["payouts"]]


async def test_another_score_inside_one_round_changes_that_round(app: App, make_user: Any) -> None:
    user = make_user(4202)
    await user.send_text("/survey")
    await user.wait_text(Q1)
    await user.press("3")
    await user.wait_text("Что нам стоит улучшить")
    await user.press("9")  # the same question 1, another score
    await user.wait_text("Что вы больше всего цените")
    async with app.services.sessionmaker() as s:
        scores = (await s.scalars(select(Response.score))).all()
    assert scores == [9]

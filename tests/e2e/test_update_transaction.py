"""One transaction per update, marked handled with its last write; a failure after the first
reply parks the update with its error: what was stored stays, nothing is applied twice."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.app import App
from storage.models import InboxUpdate, Response
from tests.conftest import MakeApp
from tests.fakebot import FakeTelegram


async def test_failure_after_the_first_reply_parks_the_update_and_keeps_the_answer(
    tg: FakeTelegram, make_app: MakeApp, stop_app: Any, make_user: Any
) -> None:
    app: App = await make_app()
    user = make_user(4101)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    # The tap's handler stores the score, answers the button, edits question 1 (its first
    # replies), then fails on its last call: question 2.
    tg.inject_failure("sendMessage", "500", chat_id=user.chat_id)
    await user.press("4")

    async def parked() -> list[InboxUpdate]:
        async with app.services.sessionmaker() as s:
            return list((await s.scalars(select(InboxUpdate).where(InboxUpdate.error.is_not(None)))).all())

    rows: list[InboxUpdate] = []
    for _ in range(500):  # the park is written right after the failed call
        rows = await parked()
        if rows:
            break
        await asyncio.sleep(0.01)
    assert len(rows) == 1
    row = rows[0]
    assert row.processed_at is not None and "TelegramServerError" in (row.error or "")
    assert row.payload == ""  # a handled update keeps no personal data in the journal
    async with app.services.sessionmaker() as s:
        scores = (await s.scalars(select(Response.score))).all()
    assert scores == [4]  # the answer stored before the failure stays

    # A restart does not replay the parked update: nothing is applied or sent twice.
    edits, sends = len(tg.calls_for("editMessageText")), len(tg.calls_for("sendMessage"))
    await stop_app(app)
    app = await make_app()
    await user.send_text("/help")
    await user.wait_text("/forget_me")
    assert len(tg.calls_for("editMessageText")) == edits
    assert len(tg.calls_for("sendMessage")) == sends + 1  # only /help's answer
    async with app.services.sessionmaker() as s:
        assert (await s.scalars(select(Response.score))).all() == [4]

    # The conversation goes on: the step is still open, and a new score asks question 2.
    await user.press("9")
    await user.wait_text("Что вы больше всего цените")


async def test_handled_update_is_marked_in_the_same_commit_as_its_answer(
    tg: FakeTelegram, app: App, make_user: Any
) -> None:
    user = make_user(4102)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("9")
    await user.wait_text("Что вы больше всего цените")
    comment = await user.send_text("быстрые выплаты")
    await user.wait_text("Какие области")
    async with app.services.sessionmaker() as s:
        row = await s.get(InboxUpdate, comment)
        stored = await s.scalar(select(Response.comment))
    assert row is not None and row.processed_at is not None and row.error is None
    assert stored == "быстрые выплаты"


async def test_a_tap_handled_too_late_to_answer_still_gets_question_2(
    tg: FakeTelegram, app: App, make_user: Any
) -> None:
    """Telegram refuses to answer a button query after ~15 s (a tap handled after a restart or
    a replica's death): the score is stored and the survey goes on anyway."""
    user = make_user(4103)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    tg.callback_timeout = 0  # every query has expired by the time the bot answers it
    await user.press("8", wait_answer=False)
    await user.wait_text("чтобы вы порекомендовали нас")  # a passive's question 2
    async with app.services.sessionmaker() as s:
        assert (await s.scalars(select(Response.score))).all() == [8]

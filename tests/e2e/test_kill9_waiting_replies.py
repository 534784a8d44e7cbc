"""``kill -9`` while question 2 waits for its send slot: after the restart every partner gets it.

The bot sends 1 message a second here (``TELEGRAM_RATE=1``), so when 8 partners tap a score at
once their question 2 queues for up to 8 s after their score is stored and the update marked
handled. The kill lands after the first three went out: the rest were waiting, held on the
journal (bot/held_replies.py), and the restarted process sends them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.callbacks import ScoreCb
from storage.db import create_engine, create_sessionmaker
from storage.models import Partner, Response
from tests.e2e.botprocess import BotProcess
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import TOKEN

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

USERS = 8
Q1 = "Насколько вероятно"
Q2 = "Что вы больше всего цените"  # the promoters' question 2 (every tap here is a 10)


async def _scores(db_url: str) -> dict[int, int]:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            rows = await s.execute(
                select(Partner.telegram_id, Response.score).join(Response, Response.partner_id == Partner.id)
            )
            return {int(t): int(score) for t, score in rows.all()}
    finally:
        await engine.dispose()


def _asked(user: SimUser) -> int:
    return sum(1 for m in user.messages() if Q2 in (m.get("text") or ""))


async def test_kill9_while_replies_wait_for_send_slots_loses_no_question(
    tg: FakeTelegram, tmp_path: Path, db_url: str
) -> None:
    bot = BotProcess(tg.base_url, db_url, tmp_path, TELEGRAM_RATE="1")
    bot.start()
    try:
        users = [
            SimUser(tg, user_id=70_000 + i, first_name=f"P{i}", language_code="ru") for i in range(USERS)
        ]
        for u in users:
            await u.send_text("/survey")
        await asyncio.gather(*(u.wait_text(Q1, timeout=120) for u in users))
        for u in users:
            q1 = next(m for m in u.messages() if m.get("reply_markup"))
            data = q1["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            tg.push_callback(
                u.user, q1, ScoreCb(campaign_id=ScoreCb.unpack(data).campaign_id, score=10).pack()
            )

        await tg.wait_until(lambda: sum(_asked(u) for u in users) >= 3, timeout=120)
        bot.kill9()
        waiting = [u.user_id for u in users if not _asked(u)]
        assert len(waiting) >= 3, "the kill came too late to test anything"
        bot.start()

        await tg.wait_until(
            lambda: all(_asked(u) for u in users),
            timeout=120,
            message=lambda: (
                f"never asked question 2: {[u.user_id for u in users if not _asked(u)]}\n"
                + bot.logs()[-3000:]
            ),
        )
        assert await _scores(db_url) == {u.user_id: 10 for u in users}
        # A reply on its way out at the kill may be sent again by the restart, no other.
        assert sum(_asked(u) for u in users) <= USERS + 1, {u.user_id: _asked(u) for u in users}
        assert "held by a process that stopped" in bot.logs()
    finally:
        code = await bot.terminate()
    assert code == 0, bot.logs()[-2000:]
    assert TOKEN not in bot.logs()


async def test_kill9_while_the_score_is_being_shown_still_asks_question_2(
    tg: FakeTelegram, tmp_path: Path, db_url: str
) -> None:
    """Question 2 is held with the score's journal mark, before the button is answered and the
    question edited: a kill in between (here: the edit hangs) leaves it to the restart."""
    bot = BotProcess(tg.base_url, db_url, tmp_path)
    bot.start()
    try:
        user = SimUser(tg, user_id=71_000, first_name="P", language_code="ru")
        await user.send_text("/survey")
        await user.wait_text(Q1, timeout=120)
        q1 = next(m for m in user.messages() if m.get("reply_markup"))
        data = q1["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        tg.inject_failure(None, "timeout", chat_id=user.chat_id)  # the edit of question 1 hangs
        tg.push_callback(
            user.user, q1, ScoreCb(campaign_id=ScoreCb.unpack(data).campaign_id, score=10).pack()
        )
        await tg.wait_until(
            lambda: any(c.injected == "timeout" and c.chat_id == user.chat_id for c in tg.calls), timeout=60
        )
        bot.kill9()
        assert not _asked(user)
        bot.start()
        await tg.wait_until(lambda: _asked(user) == 1, timeout=120, message=lambda: bot.logs()[-3000:])
        assert await _scores(db_url) == {user.user_id: 10}
    finally:
        code = await bot.terminate()
    assert code == 0, bot.logs()[-2000:]
    assert _asked(user) == 1

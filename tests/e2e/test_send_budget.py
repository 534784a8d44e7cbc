"""The bot's send budget end to end, the fake enforcing Telegram's flood limits.

Low rates make the backlog certain even on a slow machine: every tap is handled long before
its reply's slot comes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.sending import notify
from storage.models import Announcement, Partner
from storage.models import campaign as c
from storage.repo.delivery_queue import enqueue_announcement
from tests.e2e.test_sending_fanout import launch, seed
from tests.fakebot import FakeTelegram, SimUser
from tests.fakebot.state import ApiCall
from tests.helpers import add_campaign

pytestmark = pytest.mark.asyncio

BASE = 7_700_000
Q1 = "Насколько вероятно"
Q2 = "улучшить"  # question 2 after a low score
NEWS = "Новые условия выплат"


def _replies(tg: FakeTelegram, ids: list[int]) -> list[ApiCall]:
    wanted = set(ids)
    return [
        c for c in tg.calls_for("sendMessage") if c.ok and c.chat_id in wanted and Q2 in str(c.params["text"])
    ]


async def _invited(tg: FakeTelegram, make_user: object, ids: list[int]) -> list[SimUser]:
    users = [make_user(user_id=i, first_name=f"P{i}") for i in ids]  # type: ignore[operator]
    for user in users:
        await user.wait_text(Q1, timeout=60)
    return users


async def _tap_zero(users: list[SimUser]) -> None:
    for user in users:
        invitation = next(m for m in user.messages() if m.get("reply_markup"))
        data = invitation["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await user.press_data(data, invitation["message_id"], wait_answer=False)


async def test_a_burst_of_answers_is_paced_to_the_bots_limit_with_no_429(
    tg: FakeTelegram, make_app, admin: SimUser, make_user
) -> None:
    tg.global_rate = 10
    app: App = await make_app(telegram_rate=10, send_rate=10)
    ids = await seed(app, 30, base=BASE)
    await launch(admin)
    users = await _invited(tg, make_user, ids)
    before = tg.count_429

    await _tap_zero(users)  # 30 answers at once: three seconds of replies at 10/s
    await tg.wait_until(lambda: len(_replies(tg, ids)) == len(ids), timeout=60)

    assert tg.count_429 == before, "the replies waited for their slots instead of drawing 429s"
    times = sorted(c.time for c in _replies(tg, ids))
    # Slots: a second's worth, the one due now and the catch-up burst (0.5 s) in any second; a
    # loaded machine delays some sends onto later ones, so allow up to two seconds' worth.
    assert max(sum(1 for t in times if start <= t < start + 0.999) for start in times) <= 20
    assert sorted(c.chat_id for c in _replies(tg, ids)) == ids  # everyone, once


async def test_replies_to_answering_partners_go_out_before_bulk_messages(
    tg: FakeTelegram, make_app, admin: SimUser, make_user
) -> None:
    tg.global_rate = 5
    app: App = await make_app(telegram_rate=5, send_rate=5)
    tappers = await seed(app, 15, base=BASE)
    await launch(admin)
    users = await _invited(tg, make_user, tappers)
    audience = await seed(app, 60, base=BASE + 1000)
    async with app.services.sessionmaker() as s:
        campaign = await add_campaign(s, "Прошлая", status=c.CLOSED)
        note = Announcement(campaign_id=campaign.id, text=NEWS)
        s.add(note)
        await s.flush()
        rows = await s.scalars(select(Partner.id).where(Partner.telegram_id >= BASE + 1000))
        await enqueue_announcement(s, campaign.id, note.id, list(rows.all()))
        await s.commit()
    notify(app.services)

    def news() -> list[ApiCall]:
        return [c for c in tg.calls_for("sendMessage") if c.ok and NEWS in str(c.params["text"])]

    await tg.wait_until(lambda: len(news()) >= 3, timeout=30)  # bulk is under way at 5/s
    before = tg.count_429
    await _tap_zero(users)  # three seconds of replies at 5/s
    await tg.wait_until(lambda: len(_replies(tg, tappers)) == len(tappers), timeout=60)

    replies = sorted(c.time for c in _replies(tg, tappers))
    during = [c for c in news() if replies[0] < c.time < replies[-1]]
    # Bulk waits while replies are queued; only the one slot it already held may slip in.
    assert len(during) <= 1, f"{len(during)} bulk messages went out between the replies"
    assert tg.count_429 == before
    await tg.wait_until(lambda: len(news()) == len(audience), timeout=60)  # and bulk resumes

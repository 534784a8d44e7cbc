"""A launch to 500 partners through the fake Telegram: fast, within limits, once each."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.app import App
from bot.callbacks import ScoreCb
from storage.models import Delivery, Partner, Response, utcnow
from storage.models import delivery as d
from storage.repo import deliveries
from tests.fakebot import FakeTelegram, SimUser

pytestmark = pytest.mark.asyncio

N = 500
BASE_TG = 7_000_000
Q1_RU = "Насколько вероятно, что вы порекомендуете"


async def seed(app: App, n: int, *, base: int = BASE_TG, **fields: object) -> list[int]:
    """``n`` active partners (Telegram ids base..base+n-1); returns their Telegram ids."""
    async with app.services.sessionmaker() as s:
        s.add_all(
            Partner(telegram_id=base + i, external_id=f"P{base + i}", started_at=utcnow(), **fields)  # type: ignore[arg-type]
            for i in range(n)
        )
        await s.commit()
    return [base + i for i in range(n)]


async def launch(admin: SimUser, title: str = "Опрос", args: str = "") -> int:
    """/newcampaign + Launch button as the admin; returns the campaign id."""
    await admin.send_text(f"/newcampaign {title} {args}".strip())
    draft = await admin.wait_reply()
    found = re.search(r"#(\d+)", draft["text"])
    assert found, draft["text"]
    await admin.press("🚀 Запустить")
    return int(found.group(1))


async def test_500_partner_launch_no_429_no_duplicates_everyone_invited(
    tg: FakeTelegram, make_app, admin: SimUser
) -> None:
    tg.global_rate = 200
    app = await make_app(send_rate=200, telegram_rate=200)
    ids = await seed(app, N)

    await admin.send_text("/newcampaign Весенний опрос 2027")
    draft = await admin.wait_reply()
    assert "500" in draft["text"]
    campaign_id = int(re.search(r"#(\d+)", draft["text"]).group(1))  # type: ignore[union-attr]
    await admin.press("🚀 Запустить")
    await admin.wait_text("рассылка завершена", timeout=30)

    sent = tg.sent_per_chat()
    assert all(sent.get(i) == 1 for i in ids), "every partner exactly one invitation"
    assert tg.count_429 == 0
    calls = [c for c in tg.calls_for("sendMessage") if c.chat_id in set(ids)]
    assert len(calls) == N
    # The invitation carries the question and the 0-10 keyboard of this campaign.
    first = tg.chat_messages(ids[0])[0]
    assert Q1_RU in first["text"]
    buttons = [b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [ScoreCb(campaign_id=campaign_id, score=n).pack() for n in range(11)]
    # How close the pace comes to the configured rate is measured by the benchmark
    # (python -m tests.benchmarks.fanout), not asserted here: a loaded machine is slower.

    async with app.services.sessionmaker() as s:
        counts = (await deliveries.counts(s, [campaign_id]))[campaign_id]
    assert (counts.total, counts.sent, counts.outstanding) == (N, N, 0)
    final = admin.messages()[-1]["text"]
    assert "Доставлено 500 из 500" in final


async def test_one_tap_on_the_invitation_answers(
    tg: FakeTelegram, app: App, admin: SimUser, make_user
) -> None:
    partner = make_user(7_100_001, first_name="Олег")
    await seed(app, 1, base=partner.user_id)
    await admin.send_text("/newcampaign Пульс")
    await admin.wait_reply()
    await admin.press("🚀 Запустить")
    invitation = await partner.wait_text(Q1_RU, timeout=10)
    assert "короткий опрос" in invitation["text"]

    await partner.press("9")
    await partner.wait_text("Что вы больше всего цените")
    async with app.services.sessionmaker() as s:
        score = await s.scalar(select(Response.score))
        row = await s.scalar(select(Delivery).where(Delivery.kind == d.INVITATION))
    assert score == 9
    assert row is not None and row.status == d.SENT and row.message_id == invitation["message_id"]


async def test_invitation_in_the_partners_language(tg: FakeTelegram, make_app, admin: SimUser) -> None:
    app = await make_app(default_locale="en")
    english = await seed(app, 1, base=7_100_100, language="en")
    russian = await seed(app, 1, base=7_100_200, language="ru")
    unknown = await seed(app, 1, base=7_100_300)  # no language: DEFAULT_LOCALE
    await launch(admin)
    await tg.wait_until(lambda: all(tg.sent_per_chat().get(i[0]) for i in (english, russian, unknown)))
    assert "How likely are you to recommend" in tg.chat_messages(english[0])[0]["text"]
    assert Q1_RU in tg.chat_messages(russian[0])[0]["text"]
    assert "How likely are you to recommend" in tg.chat_messages(unknown[0])[0]["text"]

"""Admin campaign commands end to end: drafts, audiences, pilot samples, fatigue, life cycle, stats."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.callbacks import CampaignCb, ScoreCb
from storage.models import Campaign, Partner, utcnow
from storage.models import campaign as c
from storage.models import delivery as d
from storage.repo import deliveries
from tests.e2e.sending_barrier import sending_barrier, wait_in_flight_done
from tests.e2e.test_sending_fanout import launch, seed
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import add_campaign, add_response, invited

pytestmark = pytest.mark.asyncio

BASE = 7_300_000


@pytest.fixture(autouse=True)
def chatty_admin(tg: FakeTelegram) -> None:
    """The admin gets many replies in a row here; per-chat flood control is not under test."""
    tg.per_chat_burst = 30


async def campaign(app: App, campaign_id: int) -> Campaign:
    async with app.services.sessionmaker() as s:
        found = await s.get(Campaign, campaign_id)
        assert found is not None
        return found


async def count_campaigns(app: App) -> int:
    async with app.services.sessionmaker() as s:
        n = await s.scalar(select(func.count()).select_from(Campaign).where(Campaign.kind != c.ONGOING))
        return int(n or 0)


async def wait_counts(app: App, campaign_id: int, **expected: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        async with app.services.sessionmaker() as s:
            n = (await deliveries.counts(s, [campaign_id]))[campaign_id]
        if all(getattr(n, k) == v for k, v in expected.items()):
            return
        assert loop.time() < deadline, n
        await asyncio.sleep(0.05)


async def test_bad_arguments_get_usage_and_create_nothing(app: App, admin: SimUser) -> None:
    await seed(app, 2, base=BASE, segment="gold")
    await admin.send_text("/newcampaign")
    assert "/newcampaign Название" in (await admin.wait_reply())["text"]
    await admin.send_text("/newcampaign Опрос sample=200%")
    reply = (await admin.wait_reply())["text"]
    assert "Не понял параметр sample=200%" in reply and "есть: gold" in reply
    await admin.send_text("/newcampaign Опрос colour=red")
    assert "colour=red" in (await admin.wait_reply())["text"]
    await admin.send_text("/newcampaign segment=gold")
    assert "Формат" in (await admin.wait_reply())["text"]
    assert await count_campaigns(app) == 0


async def test_audience_excludes_unreachable_and_pilot_sample_is_random_subset(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    gold = await seed(app, 40, base=BASE, segment="Gold")
    await seed(app, 20, base=BASE + 100, segment="silver")
    async with app.services.sessionmaker() as s:
        now = utcnow()
        s.add_all(
            [
                # Each is excluded for its own reason only: they all pressed /start once.
                Partner(telegram_id=BASE + 200, segment="gold", opted_out=True, started_at=now),
                Partner(telegram_id=BASE + 201, segment="gold", blocked_at=now, started_at=now),
                # Imported with a Telegram id but never pressed /start: a bot may not write first.
                Partner(telegram_id=BASE + 202, segment="gold", external_id="never-started"),
                Partner(telegram_id=None, segment="gold", erased_at=now, opted_out=True),
                Partner(external_id="no-tg", segment="gold"),
            ]
        )
        await s.commit()

    await admin.send_text("/newcampaign Пилот Gold segment=gold sample=10%")
    draft = (await admin.wait_reply())["text"]
    assert "Аудитория сейчас: 4 партнёра" in draft and "Пилотная выборка: 10%" in draft
    cid = int(re.search(r"#(\d+)", draft).group(1))  # type: ignore[union-attr]
    await admin.press("🚀 Запустить")
    await wait_counts(app, cid, total=4, sent=4)
    pilot = await invited(app, cid)
    assert len(pilot) == 4 and pilot <= set(gold)

    cid2 = await launch(admin, "Оба сегмента", "segment=gold,silver sample=7")
    await wait_counts(app, cid2, total=7, sent=7)
    assert len(await invited(app, cid2)) == 7
    assert await count_campaigns(app) == 2


async def test_fatigue_rule_and_force(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    ids = await seed(app, 5, base=BASE)
    async with app.services.sessionmaker() as s:
        old = await add_campaign(s, "Прошлый", status=c.CLOSED)
        partners = {p.telegram_id: p for p in (await s.scalars(select(Partner))).all()}
        await add_response(s, old, partners[ids[0]], 9, answered_at=utcnow() - timedelta(days=10))
        await add_response(s, old, partners[ids[1]], 5, answered_at=utcnow() - timedelta(days=59))
        await add_response(s, old, partners[ids[2]], 7, answered_at=utcnow() - timedelta(days=61))
        await s.commit()

    await admin.send_text("/newcampaign Без повторов")
    assert "Аудитория сейчас: 3 партнёра" in (await admin.wait_reply())["text"]
    cid = await launch(admin, "С force", "force=yes")
    await wait_counts(app, cid, total=5, sent=5)
    assert await invited(app, cid) == set(ids)


async def test_pause_stops_sending_until_resume(tg: FakeTelegram, make_app, admin: SimUser) -> None:
    app = await make_app(send_rate=6)
    ids = await seed(app, 14, base=BASE)
    cid = await launch(admin)
    await tg.wait_until(lambda: sum(tg.sent_per_chat().get(i, 0) for i in ids) >= 3, timeout=10)
    await admin.send_text(f"/pause {cid}")
    await admin.wait_text("на паузе")
    await wait_in_flight_done(app, (d.SENDING,))  # requests already on the wire land
    frozen = sum(tg.sent_per_chat().get(i, 0) for i in ids)
    await sending_barrier(app, tg)  # the engine went on sending: none of these
    assert sum(tg.sent_per_chat().get(i, 0) for i in ids) == frozen < 14
    assert (await campaign(app, cid)).status == c.PAUSED

    await admin.send_text(f"/resume {cid}")
    await admin.wait_text("продолжается")
    await wait_counts(app, cid, sent=14)
    assert all(tg.sent_per_chat().get(i) == 1 for i in ids)


async def test_close_drops_unsent_and_keyboard_says_closed(
    tg: FakeTelegram, make_app, admin: SimUser, make_user
) -> None:
    app = await make_app(send_rate=3)
    first = make_user(BASE)
    await seed(app, 1, base=BASE)
    await seed(app, 14, base=BASE + 1)
    cid = await launch(admin)
    await first.wait_text("Насколько вероятно", timeout=10)
    await admin.send_text(f"/close {cid}")
    closed = await admin.wait_text("Неотправленных сообщений отменено")
    dropped = int(re.search(r"отменено: (\d+)", closed["text"]).group(1))  # type: ignore[union-attr]
    assert dropped > 0
    stored = await campaign(app, cid)
    assert stored.status == c.CLOSED and stored.closed_at is not None
    await wait_counts(app, cid, pending=0, sending=0)
    async with app.services.sessionmaker() as s:
        n = (await deliveries.counts(s, [cid]))[cid]
    assert n.failed >= dropped and n.sent + n.failed == 15 and n.sent < 15
    assert sum(tg.sent_per_chat().get(BASE + i, 0) for i in range(15)) == n.sent
    answer = await first.press("8")
    assert "закрыт" in answer.get("text", "")


async def test_draft_buttons_preview_cancel_and_state_errors(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    await seed(app, 2, base=BASE)
    await admin.send_text("/newcampaign Черновик")
    draft = await admin.wait_reply()
    cid = int(re.search(r"#(\d+)", draft["text"]).group(1))  # type: ignore[union-attr]
    answer = await admin.press("👁 Предпросмотр")
    assert "Предпросмотр" in answer.get("text", "")
    preview = await admin.wait_text("короткий опрос")
    assert ScoreCb(campaign_id=cid, score=10).pack() in admin.buttons_data(preview)
    assert tg.sent_per_chat().get(BASE, 0) == 0

    await admin.send_text(f"/pause {cid}")
    assert "не идет" in (await admin.wait_reply())["text"]
    await admin.send_text(f"/resume {cid}")
    assert "не на паузе" in (await admin.wait_reply())["text"]
    await admin.send_text("/launch 999")
    assert "Кампании #999 нет" in (await admin.wait_reply())["text"]
    await admin.send_text("/launch")
    assert "/launch &lt;" not in (await admin.wait_reply())["text"]  # rendered, not escaped twice

    await admin.press("✖ Отменить")
    await admin.wait_text("отменен")
    assert (await campaign(app, cid)).status == c.CANCELLED
    answer = await admin.press_data(CampaignCb(action="launch", campaign_id=cid).pack(), draft["message_id"])
    assert "не черновик" in answer.get("text", "")
    await admin.send_text(f"/launch {cid}")
    assert "не черновик" in (await admin.wait_reply())["text"]
    assert await invited(app, cid) == set()


async def test_campaigns_list_shows_rate_and_nps_and_remind_now(
    tg: FakeTelegram, app: App, admin: SimUser, make_user
) -> None:
    users = [make_user(BASE + i) for i in range(4)]
    await seed(app, 4, base=BASE)
    cid = await launch(admin, "Осенний пульс")
    for u in users:
        await u.wait_text("Насколько вероятно", timeout=10)
    for u, score in zip(users, (10, 9, 3), strict=False):
        await u.press(str(score))
        await u.wait_text("Спасибо")
    await admin.send_text("/campaigns")
    listing = (await admin.wait_reply())["text"]
    assert f"#{cid} Осенний пульс — идет" in listing
    assert "аудитория 4 · отправлено 4 · заблокировали 0 · ошибки 0" in listing
    assert "ответили 3 (75% от доставленных) · NPS +33" in listing

    await admin.send_text(f"/remind {cid}")
    assert "для 1 партнеров" in (await admin.wait_reply())["text"]
    reminder = await users[3].wait_text("Напоминаем", timeout=10)
    assert ScoreCb(campaign_id=cid, score=0).pack() in users[3].buttons_data(reminder)
    await admin.send_text(f"/remind {cid}")
    assert "некому напоминать" in (await admin.wait_reply())["text"]
    await sending_barrier(app, tg)

    def reminders(u: SimUser) -> int:
        return sum("Напоминаем" in m.get("text", "") for m in u.messages())

    assert [reminders(u) for u in users] == [0, 0, 0, 1]


async def test_launch_with_nobody_eligible_keeps_the_draft(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    await seed(app, 2, base=BASE, segment="gold")
    await admin.send_text("/newcampaign Пусто segment=platinum")
    draft = await admin.wait_reply()
    assert "Аудитория сейчас: 0 партнёров" in draft["text"]
    cid = int(re.search(r"#(\d+)", draft["text"]).group(1))  # type: ignore[union-attr]
    await admin.press("🚀 Запустить")
    assert "некого пригласить" in (await admin.wait_text("некого пригласить"))["text"]
    stored = await campaign(app, cid)
    assert stored.status == c.DRAFT and stored.launched_at is None
    assert "🚀 Запустить" in admin.buttons(draft)  # still there to try again later

"""Scheduled campaign jobs with a controlled clock: the one reminder, auto-close, quarterly launch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update

from bot import insight_hooks
from bot.app import App
from bot.config import SettingsError, load_settings
from bot.services import Services
from scheduler.campaign_jobs import auto_close_job, quarterly_job, reminders_job
from storage.models import Campaign, Partner, utcnow
from storage.models import campaign as c
from storage.repo import deliveries
from tests.e2e.sending_barrier import sending_barrier
from tests.e2e.test_sending_fanout import launch, seed
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, TOKEN

BASE = 7_400_000
REMINDER = "Напоминаем"


async def sent_count(app: App, campaign_id: int, kind: str = "invitation") -> int:
    async with app.services.sessionmaker() as s:
        return (await deliveries.counts(s, [campaign_id], kind))[campaign_id].sent


async def wait_sent(app: App, campaign_id: int, n: int, kind: str = "invitation") -> None:
    for _ in range(200):
        if await sent_count(app, campaign_id, kind) == n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{kind}: {await sent_count(app, campaign_id, kind)} sent, {n} expected")


def reminders(user: SimUser) -> int:
    return sum(REMINDER in m.get("text", "") for m in user.messages())


async def test_reminder_once_after_delay_only_to_reachable_non_responders(
    tg: FakeTelegram, app: App, admin: SimUser, make_user
) -> None:
    users = [make_user(BASE + i) for i in range(4)]
    await seed(app, 4, base=BASE)
    cid = await launch(admin)
    await wait_sent(app, cid, 4)
    await users[0].press("9")
    await users[0].wait_text("Что вы больше всего цените")
    async with app.services.sessionmaker() as s:
        await s.execute(update(Partner).where(Partner.telegram_id == BASE + 3).values(opted_out=True))
        await s.commit()

    assert await reminders_job(now=utcnow() + timedelta(days=2, hours=23)) == {}
    assert await reminders_job(now=utcnow() + timedelta(days=3, minutes=1)) == {cid: 2}
    await wait_sent(app, cid, 2, "reminder")
    assert await reminders_job(now=utcnow() + timedelta(days=3, minutes=6)) == {}
    assert await reminders_job(now=utcnow() + timedelta(days=9)) == {}
    await sending_barrier(app, tg)
    assert [reminders(u) for u in users] == [0, 1, 1, 0]
    # The reminder carries the same one-tap keyboard.
    await users[1].press("4")
    await users[1].wait_text("Что нам стоит улучшить")


async def test_campaign_closes_by_itself_and_calls_the_hook(
    tg: FakeTelegram, app: App, admin: SimUser, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed_hook: list[int] = []

    async def on_closed(services: Services, campaign_id: int) -> None:
        closed_hook.append(campaign_id)

    monkeypatch.setattr(insight_hooks, "on_campaign_closed", on_closed)
    user = make_user(BASE)
    await seed(app, 1, base=BASE)
    cid = await launch(admin)
    await user.wait_text("Насколько вероятно", timeout=10)

    assert await auto_close_job(now=utcnow() + timedelta(days=13, hours=23)) == []
    assert await auto_close_job(now=utcnow() + timedelta(days=14, minutes=1)) == [cid]
    assert await auto_close_job(now=utcnow() + timedelta(days=15)) == []
    async with app.services.sessionmaker() as s:
        stored = await s.get(Campaign, cid)
    assert stored is not None and stored.status == c.CLOSED and stored.closed_at is not None
    assert closed_hook == [cid]  # what the hook posts is tested below and by the managers' side
    answer = await user.press("10")
    assert "закрыт" in answer.get("text", "")
    assert await reminders_job(now=utcnow() + timedelta(days=20)) == {}


async def test_quarterly_campaign_once_per_quarter(tg: FakeTelegram, make_app) -> None:
    app = await make_app(timezone="Asia/Vladivostok")
    ids = await seed(app, 3, base=BASE)
    # 20:00 UTC on March 31 is already April 1 in Vladivostok: the second quarter there.
    first = await quarterly_job(now=datetime(2027, 3, 31, 20, 0, tzinfo=UTC))
    assert first is not None
    assert await quarterly_job(now=datetime(2027, 4, 6, 1, 0, tzinfo=UTC)) is None  # fired twice
    await wait_sent(app, first, 3)
    async with app.services.sessionmaker() as s:
        rows = (await s.scalars(select(Campaign).where(Campaign.kind == c.QUARTERLY))).all()
    assert [(x.period_key, x.status, x.title) for x in rows] == [
        ("2027Q2", c.RUNNING, "Квартальный NPS 2027Q2")
    ]
    assert all(tg.sent_per_chat().get(i) == 1 for i in ids)

    second = await quarterly_job(now=datetime(2027, 7, 6, 1, 0, tzinfo=UTC))
    assert second is not None and second != first
    await wait_sent(app, second, 3)


async def test_schedule_lists_jobs_with_next_run(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    settings = app.services.settings
    await admin.send_text("/schedule")
    text = (await admin.wait_reply())["text"]
    expected = CronTrigger.from_crontab(settings.quarterly_cron, timezone=settings.tz).get_next_fire_time(
        None, datetime.now(settings.tz)
    )
    assert expected is not None
    assert f"Квартальная кампания — следующий запуск: {expected.strftime('%Y-%m-%d %H:%M %Z')}" in text
    assert "Напоминания тем, кто не ответил — следующий запуск: 20" in text
    assert "Закрытие кампаний по сроку — следующий запуск: 20" in text


async def test_quarterly_off_means_no_job(tg: FakeTelegram, make_app, admin: SimUser) -> None:
    app = await make_app(quarterly_campaign=False)
    assert app.worker is not None and app.worker.scheduler is not None
    scheduler = app.worker.scheduler
    assert "campaign-quarterly" not in {job.id for job in scheduler.get_jobs()}
    assert {"campaign-reminders", "campaign-auto-close"} <= {job.id for job in scheduler.get_jobs()}
    await admin.send_text("/schedule")
    text = (await admin.wait_reply())["text"]
    assert "Квартальная" not in text and "Напоминания" in text


def test_malformed_quarterly_cron_is_rejected_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("QUARTERLY_CRON", "0 11 1-7 13 tue")
    with pytest.raises(SettingsError, match="QUARTERLY_CRON"):
        load_settings(_env_file=None)


async def test_auto_close_posts_the_campaign_digest_to_the_managers(
    tg: FakeTelegram, make_app, admin: SimUser, make_user
) -> None:
    app = await make_app(min_group_size=1)
    user = make_user(BASE)
    await seed(app, 1, base=BASE)
    cid = await launch(admin, "Летний пульс")
    await user.wait_text("Насколько вероятно", timeout=10)
    await user.press("10")
    await user.wait_text("Что вы больше всего цените")
    assert tg.chat_messages(MANAGER_CHAT_ID) == []
    assert await auto_close_job(now=utcnow() + timedelta(days=14, minutes=1)) == [cid]
    await tg.wait_until(lambda: tg.chat_messages(MANAGER_CHAT_ID), timeout=10)
    digest = tg.chat_messages(MANAGER_CHAT_ID)[0]
    assert "Летний пульс" in digest.get("text", digest.get("caption", ""))

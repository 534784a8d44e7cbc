"""Signed webhooks out, end to end: answers in the bot, events verified by a receiver with the
``standardwebhooks`` package's own ``Webhook.verify`` (tests/hooks/receiver.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import HookDelivery, HookEndpoint, utcnow
from storage.models import hook as h
from storage.repo import hook_endpoints, partners, responses
from tests.helpers import MANAGER_CHAT_ID, add_campaign, add_partner
from tests.hooks.receiver import Receiver

pytestmark = pytest.mark.asyncio


class Clock:
    """The worker's clock: the wall clock plus an offset tests move instead of waiting out
    back-off (events are stamped with the wall clock when queued)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **kw: float) -> None:
        self.offset += timedelta(**kw)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rx = Receiver(secret="")
    await rx.start()
    try:
        yield rx
    finally:
        await rx.stop()


@pytest.fixture
async def app_hooks(make_app) -> App:
    """The app with loopback receivers allowed (HOOKS_ALLOW_HTTP)."""
    return await make_app(hooks_allow_http=True)


async def _endpoint(app: App, rx: Receiver, events: str = "*") -> HookEndpoint:
    async with app.services.sessionmaker() as s:
        endpoint = await hook_endpoints.add(s, rx.url, events)
        await s.commit()
    rx.secret = endpoint.secret
    return endpoint


def _fast(app: App, timeout: float = 15.0) -> None:
    assert app.worker is not None
    app.worker.hooks.poll_interval = 0.02
    app.worker.hooks.timeout = timeout


async def _outstanding(app: App) -> int:
    async with app.services.sessionmaker() as s:
        return int(
            await s.scalar(
                select(func.count())
                .select_from(HookDelivery)
                .where(HookDelivery.status.in_((h.PENDING, h.SENDING)))
            )
            or 0
        )


async def test_a_partners_survey_arrives_as_signed_events_in_order(
    app_hooks: App, receiver: Receiver, make_user, tg
) -> None:
    app = app_hooks
    _fast(app)
    # response.* only: the detractor's alert.opened follows response.completed at once, and a
    # check of "the last one arrived" could race it.
    await _endpoint(app, receiver, "response.*")
    async with app.services.sessionmaker() as s:
        await add_partner(s, external_id="CRM-7", telegram_id=1001, started_at=utcnow(), name="P")
        await s.commit()
    user = make_user(1001)
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("4")
    await user.wait_text("Что нам стоит улучшить")
    await user.send_text("Выплаты <медленные>")
    await user.wait_text("Какие области")
    await user.press("Скорость выплат")
    await user.press("Готово")
    await user.wait_text("Спасибо! Ваш ответ сохранен")
    await tg.wait_until(
        lambda: any(r.type == "response.completed" for r in receiver.received),
        timeout=10,
        message=lambda: repr([r.type for r in receiver.received]),
    )
    seen = receiver.first_seen()
    types = [r.type for r in seen]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert set(types[1:-1]) == {"response.updated"}
    assert receiver.unverified == 0
    created, commented, done = seen[0].data, seen[1].data, seen[-1].data
    assert created["external_id"] == "CRM-7" and created["score"] == 4 and created["category"] == "detractor"
    assert created["comment"] is None
    assert commented["comment"] == "Выплаты <медленные>"
    assert done["areas"] == ["payouts"] and done["completed"] is True
    assert "payouts" in done["themes"] or done["themes"] == []
    assert {"response_id", "campaign_id", "campaign", "themes"} <= set(done)


async def _answers(db_url: str, url: str, n: int) -> HookEndpoint:
    """An endpoint for response.* and partner.*, then n answers written through the survey's
    repository calls (each queues its events in its own write)."""
    await upgrade_async(db_url)
    engine = create_engine(db_url)
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as s:
            # Not alert.*: the detractor-alert job runs on the moved clock and would add its own events.
            endpoint = await hook_endpoints.add(s, url, "response.* partner.*")
            campaign = await add_campaign(s)
            ids = [(await add_partner(s, external_id=f"E{i}")).id for i in range(n)]
            await s.commit()
        # The bot writes each answer step in its own transaction; here a batch of partners shares
        # one per step (the events are the same: each is queued by the write that causes it).
        batch = 50
        for start in range(0, n, batch):
            chunk = list(enumerate(ids))[start : start + batch]
            async with sessions() as s:
                answers = [
                    await responses.record_score(s, None, campaign.id, pid, i % 11, None) for i, pid in chunk
                ]
                await s.commit()
            async with sessions() as s:
                for (i, _pid), answer in zip(chunk, answers, strict=True):
                    if i % 2 == 0:  # half of them comment (response.updated), half go straight on
                        await responses.set_comment(s, answer, f"comment {i}")
                await s.commit()
            async with sessions() as s:
                for (i, pid), answer in zip(chunk, answers, strict=True):
                    await responses.complete(s, answer)
                    if i % 10 == 0:
                        await partners.set_opted_out(s, pid, True)
                await s.commit()
        return endpoint
    finally:
        await engine.dispose()


async def test_many_answers_none_lost_through_failures_ordered_per_partner(
    make_app, db_url: str, receiver: Receiver, tg, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the level the bot logs at
    n = 1000
    # Written before the bot starts, so the writes do not share the loop with the sender.
    endpoint = await _answers(db_url, receiver.url, n)
    receiver.secret = endpoint.secret
    receiver.mode = "fail"
    clock = Clock()
    app = await make_app(clock=clock, hooks_allow_http=True)
    _fast(app, timeout=0.5)
    expected = 2 * n + n // 2 + n // 10
    assert app.worker is not None
    hooks = app.worker.hooks

    def attempts() -> int:
        return hooks.delivered + hooks.failed_attempts

    async def an_hour_later(before: int) -> None:
        clock.advance(hours=1)
        await tg.wait_until(lambda: attempts() > before, timeout=30)

    await tg.wait_until(lambda: hooks.failed_attempts > 0, timeout=30)
    for _ in range(24):  # the receiver is down for a day
        await an_hour_later(attempts())
    receiver.mode = "hang"  # then it times out
    await an_hour_later(attempts())
    receiver.mode = "ok"
    receiver.release.set()
    for _ in range(72):  # three days of hours at most
        before = attempts()  # counted before looking: a delivery finishing in between counts
        if not await _outstanding(app):
            break
        await an_hour_later(before)
    await tg.wait_until(lambda: len(receiver.first_seen()) >= expected, timeout=60)
    assert receiver.unverified == 0
    seen = receiver.first_seen()
    assert len(seen) == expected  # exactly the expected events: none lost, none invented
    by_partner = receiver.types_by_partner()
    for i in range(n):
        want = ["response.created", "response.updated", "response.completed"]
        if i % 2:
            want.remove("response.updated")
        if i % 10 == 0:
            want.append("partner.opted_out")
        assert by_partner[f"E{i}"] == want
    # A repeat is always the same event: same id, same body.
    assert receiver.repeats_identical()
    # The managers' chat heard once that the endpoint had been failing for an hour.
    texts = [m.get("text", "") for m in tg.chat_messages(MANAGER_CHAT_ID)]
    alerts = [t for t in texts if f"#{endpoint.id}" in t and "час" in t]
    assert len(alerts) == 1
    assert endpoint.secret not in caplog.text
    assert endpoint.secret.removeprefix("whsec_") not in caplog.text


async def test_a_stop_while_an_answer_is_being_stored_keeps_it_delivered(
    app_hooks: App, db_url: str, receiver: Receiver, tg
) -> None:
    """A stop (the worker stepping down, a restart) used to cancel the step that was storing
    outcomes and claiming rows: what it held was lost, rows sat ``sending`` until their lease ran
    out (longer while the endpoint backed off) and were sent again; the cancel could even be
    swallowed by the session's close and stop() hang. Now the step ends first."""
    app = app_hooks
    _fast(app)
    receiver.delay = 0.3
    await _endpoint(app, receiver, "partner.*")
    async with app.services.sessionmaker() as s:
        pid = (await add_partner(s, external_id="S1")).id
        await partners.set_opted_out(s, pid, True)
        await s.commit()
    await tg.wait_until(lambda: receiver.requests >= 1, timeout=10)  # claimed, on the wire
    async with app.services.sessionmaker() as s:
        row_id = int(await s.scalar(select(HookDelivery.id)) or 0)
    # Another connection holds the row (SQLite: the write lock), so storing the 2xx must wait.
    engine = create_engine(db_url)
    try:
        async with engine.connect() as other:
            await other.execute(
                update(HookDelivery).where(HookDelivery.id == row_id).values(attempts=HookDelivery.attempts)
            )
            await tg.wait_until(lambda: len(receiver.received) >= 1, timeout=10)  # answered 204
            assert app.worker is not None
            stopping = asyncio.create_task(app.worker.hooks.stop())
            await asyncio.sleep(0.2)  # the stop has begun while the outcome waits for the lock
            await other.rollback()
        await asyncio.wait_for(stopping, 10)
    finally:
        await engine.dispose()
    async with app.services.sessionmaker() as s:
        row = await s.get(HookDelivery, row_id)
        assert row is not None
        assert (row.status, row.claimed_by) == (h.DELIVERED, None)  # not left sending, not sent again


async def test_a_retry_after_of_nan_does_not_wedge_delivery(make_app, receiver: Receiver, tg) -> None:
    """``Retry-After: nan`` parses as a float; stored as a back-off it failed every later step, so
    nothing was stored or claimed again and events stayed ``sending``."""
    clock = Clock()
    app = await make_app(clock=clock, hooks_allow_http=True)
    _fast(app)
    await _endpoint(app, receiver, "partner.*")
    receiver.mode, receiver.retry_after = "fail", "nan"
    async with app.services.sessionmaker() as s:
        pid = (await add_partner(s, external_id="N1")).id
        await partners.set_opted_out(s, pid, True)
        await s.commit()
    assert app.worker is not None
    hooks = app.worker.hooks
    await tg.wait_until(lambda: hooks.failed_attempts >= 1, timeout=10)  # stored as a failure
    receiver.mode = "ok"
    clock.advance(hours=1)
    await tg.wait_until(lambda: len(receiver.received) == 1, timeout=10)
    await tg.wait_until(lambda: hooks.delivered == 1, timeout=10)

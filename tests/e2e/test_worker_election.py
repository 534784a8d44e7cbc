"""Exactly one active worker: a standby takes over when the active one stops, and finishes its launch."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from bot import operations
from bot.app import App
from storage.models import Campaign
from storage.repo import deliveries
from tests.conftest import MakeApp
from tests.e2e.test_sending_fanout import launch, seed
from tests.fakebot import FakeTelegram, SimUser

BASE = 7_700_000


def active(app: App) -> bool:
    return app.worker is not None and app.worker.active


async def test_one_active_worker_and_a_standby_takes_over(
    tg: FakeTelegram, make_app: MakeApp, stop_app: Any, admin: SimUser
) -> None:
    # nps-bot run (receives updates and competes for the worker lease) and a standby worker;
    # a slow send rate keeps the launch running when the first one stops.
    first = await make_app(send_rate=8)
    standby = await make_app(role="worker", send_rate=8)
    assert active(first) and not active(standby)
    assert standby.worker is not None and not standby.worker.sender.running
    await seed(first, 40, base=BASE)
    cid = await launch(admin)
    partners = range(BASE, BASE + 40)
    await tg.wait_until(lambda: sum(1 for p in partners if tg.sent_per_chat().get(p)) >= 5, timeout=10)
    await stop_app(first)  # a clean stop gives the lease up at once
    assert sum(1 for p in partners if tg.sent_per_chat().get(p)) < 40, "launch still running at the stop"
    await tg.wait_until(lambda: active(standby), timeout=15)
    await tg.wait_until(lambda: all(tg.sent_per_chat().get(p) for p in partners), timeout=30)
    assert all(tg.sent_per_chat()[p] == 1 for p in partners)  # everyone invited once
    assert tg.count_429 == 0 and cid


async def test_pause_and_resume_from_another_replica_reach_the_worker(
    tg: FakeTelegram, make_app: MakeApp, admin: SimUser
) -> None:
    app = await make_app(send_rate=2)  # slow enough that the pause lands mid-launch on a loaded machine
    # What a web replica has: the same database, no sender of its own to tell.
    replica = dataclasses.replace(app.services, sender=None)
    ids = await seed(app, 30, base=BASE + 100)
    cid = await launch(admin)

    def sent() -> int:
        return sum(tg.sent_per_chat().get(i, 0) for i in ids)

    await tg.wait_until(lambda: sent() >= 3, timeout=10)
    async with replica.sessionmaker() as s:
        campaign = await s.get(Campaign, cid)
        assert campaign is not None
        await operations.pause(replica, s, campaign)
    # The worker looks at the campaigns it is sending every STATUS_EVERY: rows waiting go back.
    assert app.worker is not None
    await tg.wait_until(lambda: cid in app.worker.sender.held, timeout=30)

    async def outbox() -> deliveries.Counts:
        async with app.services.sessionmaker() as s:
            return (await deliveries.counts(s, [cid]))[cid]

    # Rows in flight come back or finish; the paused campaign's queue then stands still.
    for _ in range(600):
        paused = await outbox()
        if paused.sending == 0:
            break
        await asyncio.sleep(0.05)
    assert paused.sending == 0 and paused.pending > 0 and paused.sent == sent() < 30
    async with replica.sessionmaker() as s:
        campaign = await s.get(Campaign, cid)
        assert campaign is not None
        await operations.resume(replica, s, campaign)
    await tg.wait_until(lambda: sent() == 30, timeout=60)
    assert all(tg.sent_per_chat().get(i) == 1 for i in ids)

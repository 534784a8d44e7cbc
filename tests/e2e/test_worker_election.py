"""Exactly one active worker: a standby takes over when the active one stops, and finishes its launch."""

from __future__ import annotations

from typing import Any

from bot.app import App
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

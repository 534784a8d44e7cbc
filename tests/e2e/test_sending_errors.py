"""Telegram errors during bulk sending: 403, 5xx, timeouts, dropped connections, 400, 429."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.app import App
from bot.sending.engine import SendingEngine
from storage.models import Delivery, Partner
from storage.models import delivery as d
from tests.e2e.test_sending_fanout import launch, seed
from tests.fakebot import FakeTelegram, SimUser

pytestmark = pytest.mark.asyncio

BASE = 7_200_000


def engine_of(app: App) -> SendingEngine:
    engine = app.worker.sender
    engine.backoff_base = 0.05  # keep retries fast in tests; the policy is the same
    return engine


async def rows(app: App) -> dict[int, Delivery]:
    """Invitation rows by the partner's Telegram id."""
    async with app.services.sessionmaker() as s:
        result = await s.execute(
            select(Partner.telegram_id, Delivery).join(Delivery, Delivery.partner_id == Partner.id)
        )
        return {int(t or 0): row for t, row in result.all()}


async def wait_finished(tg: FakeTelegram, app: App, n: int, limit: float = 20) -> dict[int, Delivery]:
    found: dict[int, Delivery] = {}

    async def check() -> bool:
        nonlocal found
        found = await rows(app)
        return len(found) == n and all(r.status not in (d.PENDING, d.SENDING) for r in found.values())

    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not await check():
        assert loop.time() < deadline, {t: r.status for t, r in found.items()}
        await asyncio.sleep(0.1)
    return found


async def test_blocked_chats_are_marked_and_left_out_of_the_response_rate(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    ids = await seed(app, 10, base=BASE, segment="gold")
    for chat in ids[:3]:
        tg.block_chat(chat)
    await launch(admin)
    found = await wait_finished(tg, app, 10)
    assert {t for t, r in found.items() if r.status == d.BLOCKED} == set(ids[:3])
    assert all(found[t].status == d.SENT for t in ids[3:])
    async with app.services.sessionmaker() as s:
        blocked = (await s.scalars(select(Partner.telegram_id).where(Partner.blocked_at.is_not(None)))).all()
    assert set(blocked) == set(ids[:3])
    await admin.send_text("/partners")
    summary = await admin.wait_reply()
    assert "gold: 10" in summary["text"]
    assert "заблокировали бота 3" in summary["text"] and "активны 7" in summary["text"]
    await admin.send_text("/campaigns")
    listing = await admin.wait_reply()
    assert "отправлено 7 · заблокировали 3" in listing["text"]
    assert "ответили 0 (0% от доставленных)" in listing["text"]


async def test_5xx_and_dropped_connections_are_retried_and_sent_once(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    engine = engine_of(app)
    ids = await seed(app, 6, base=BASE)
    tg.inject_failure("sendMessage", "5xx", count=2, chat_id=ids[0])
    tg.inject_failure("sendMessage", "502", count=1, chat_id=ids[1])
    tg.inject_failure("sendMessage", "disconnect", count=2, chat_id=ids[2])
    await launch(admin)
    found = await wait_finished(tg, app, 6)
    assert all(r.status == d.SENT for r in found.values())
    assert all(tg.sent_per_chat().get(i) == 1 for i in ids)
    assert len(tg.calls_for("sendMessage", ids[0])) == 3
    assert engine.stats.retries == 5


async def test_persistent_5xx_fails_with_reason_after_capped_attempts(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    engine_of(app)
    ids = await seed(app, 3, base=BASE)
    tg.inject_failure("sendMessage", "5xx", count=50, chat_id=ids[0])
    await launch(admin)
    found = await wait_finished(tg, app, 3)
    bad = found[ids[0]]
    assert bad.status == d.FAILED and "Internal Server Error" in (bad.error or "")
    assert len(tg.calls_for("sendMessage", ids[0])) == 4  # max_attempts
    assert found[ids[1]].status == found[ids[2]].status == d.SENT
    await admin.wait_text("ошибки 1", timeout=10)


async def test_timeouts_are_retried(tg: FakeTelegram, make_app, admin: SimUser) -> None:
    tg.timeout_delay = 2.0  # the fake answers 504 after this; our client gives up after 0.5 s
    app = await make_app(request_timeout=0.5)
    engine_of(app)
    ids = await seed(app, 3, base=BASE)
    tg.inject_failure("sendMessage", "timeout", count=1, chat_id=ids[0])
    await launch(admin)
    found = await wait_finished(tg, app, 3)
    assert found[ids[0]].status == d.SENT and found[ids[0]].attempts == 1
    assert len(tg.calls_for("sendMessage", ids[0])) == 2
    assert tg.sent_per_chat().get(ids[0]) == 1


async def test_chat_not_found_fails_at_once(tg: FakeTelegram, app: App, admin: SimUser, make_user) -> None:
    known = make_user(BASE + 1)
    await seed(app, 1, base=known.user_id)
    await seed(app, 1, base=BASE + 2)  # nobody ever wrote from this chat
    tg.strict_chats = True
    await launch(admin)
    found = await wait_finished(tg, app, 2)
    assert found[BASE + 1].status == d.SENT
    assert found[BASE + 2].status == d.FAILED and "chat not found" in (found[BASE + 2].error or "")
    assert len(tg.calls_for("sendMessage", BASE + 2)) == 1


async def test_429_pauses_all_bulk_sending(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    engine = engine_of(app)
    ids = await seed(app, 8, base=BASE)
    tg.inject_failure("sendMessage", "429", count=1, chat_id=ids[2], retry_after=2)
    await launch(admin)
    found = await wait_finished(tg, app, 8)
    assert all(r.status == d.SENT for r in found.values())
    assert all(tg.sent_per_chat().get(i) == 1 for i in ids)
    assert engine.stats.rate_limited == 1
    calls = [c for c in tg.calls_for("sendMessage") if c.chat_id in set(ids)]
    limited = next(c for c in calls if c.status == 429)
    # Requests already on the wire when the 429 came back cannot be recalled; nothing new may
    # start until retry_after has passed.
    gap = [c.time - limited.time for c in calls if 0.1 < c.time - limited.time < 2.0]
    assert gap == [], "nothing may be sent during retry_after"
    assert max(c.time for c in calls) - limited.time >= 2.0

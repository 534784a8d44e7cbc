"""``kill -9`` the real bot process in the middle of a launch, restart it: nobody skipped, no mass resend."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sending.engine import default_window
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import Delivery, Partner, utcnow
from storage.models import delivery as d
from tests.e2e.botprocess import BotProcess
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import ADMIN_ID

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

N = 300
RATE = 50
BASE = 7_500_000


async def _seed(db_url: str) -> None:
    await upgrade_async(db_url)
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            s.add_all(Partner(telegram_id=BASE + i, started_at=utcnow()) for i in range(N))
            await s.commit()
    finally:
        await engine.dispose()


async def _statuses(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            found: dict[str, int] = {}
            for status in (await s.scalars(select(Delivery.status))).all():
                found[status] = found.get(status, 0) + 1
            return found
    finally:
        await engine.dispose()


async def test_kill9_mid_launch_resumes_without_skips(tg: FakeTelegram, tmp_path: Path, db_url: str) -> None:
    tg.global_rate = RATE
    await _seed(db_url)
    bot = BotProcess(tg.base_url, db_url, tmp_path, SEND_RATE=str(RATE))
    partners = range(BASE, BASE + N)

    def delivered() -> int:
        sent = tg.sent_per_chat()
        return sum(1 for p in partners if sent.get(p))

    bot.start()
    try:
        await tg.wait_until(lambda: tg.calls_for("getUpdates"), timeout=120)  # a process start
        admin = SimUser(tg, user_id=ADMIN_ID, first_name="Admin", language_code="ru")
        tg.per_chat_burst = 10
        await admin.send_text("/newcampaign Проверка на прочность")
        await admin.wait_reply(timeout=15)
        await admin.press("🚀 Запустить", timeout=15)

        await tg.wait_until(lambda: delivered() >= N // 3, timeout=30)
        bot.kill9()
        at_kill = delivered()
        assert at_kill < N, "the launch must still be running when it is killed"
        assert (await _statuses(db_url)).get(d.SENDING, 0) > 0  # caught mid-batch

        bot.start()
        await tg.wait_until(lambda: delivered() == N, timeout=60, message=lambda: f"{delivered()} of {N}")
        await admin.wait_text("рассылка завершена", timeout=20)
    finally:
        await bot.terminate()

    sent = tg.sent_per_chat()
    # Requests on the wire at the kill reach Telegram but their rows stay "sending": re-sent.
    duplicates = sum(sent[p] - 1 for p in partners)
    print(f"killed at {at_kill}/{N}; re-sent after restart: {duplicates} (bound {default_window(RATE)})")
    assert all(sent[p] >= 1 for p in partners), "nobody skipped"
    assert duplicates <= default_window(RATE), "at most the in-flight window is re-sent"
    assert await _statuses(db_url) == {d.SENT: N}
    assert tg.count_429 == 0
    assert "interrupted by a crash" in bot.logs()

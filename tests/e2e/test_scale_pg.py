"""At scale on PostgreSQL: 3 ``web`` replicas and 2 ``worker``s as real processes; one replica and
the active worker are ``kill -9``ed in the middle of a launch. Nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.callbacks import ScoreCb
from bot.sending.engine import default_window
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import Partner, Response, utcnow
from storage.repo import leases
from tests.e2e.botprocess import BotProcess
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import ADMIN_ID

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="runs on PostgreSQL (TEST_DATABASE_URL)",
    ),
]

N = 300
BASE = 7_900_000
SEND_RATE = 25  # the default: replies and invitations share the bot's 30/s (bot/send_budget.py)
URL = "https://bot.example.test/tg/hook"
SECRET = "scale-Secret_1"
Q1 = "Насколько вероятно"
Q2_DETRACTOR = "улучшить"  # the question after a low score


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _seed(db_url: str) -> None:
    await upgrade_async(db_url)
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            s.add_all(Partner(telegram_id=BASE + i, started_at=utcnow()) for i in range(N))
            await s.commit()
    finally:
        await engine.dispose()


async def _db(db_url: str, query: str) -> object:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            if query == "holder":
                return await leases.holder_of(s, "worker", utcnow())
            rows = await s.execute(
                select(Partner.telegram_id, func.count(Response.id))
                .join(Response, Response.partner_id == Partner.id)
                .where(Response.score.is_not(None))
                .group_by(Partner.telegram_id)
            )
            return dict(rows.all())
    finally:
        await engine.dispose()


async def test_three_replicas_two_workers_kill9_loses_nothing(
    tg: FakeTelegram, tmp_path: Path, db_url: str
) -> None:
    assert make_url(db_url).get_backend_name() == "postgresql"
    await _seed(db_url)
    common = {
        "WEBHOOK_URL": URL,
        "WEBHOOK_SECRET": SECRET,
        "WEB_HOST": "127.0.0.1",
        "SEND_RATE": str(SEND_RATE),
    }
    webs: list[BotProcess] = []
    for i in range(3):
        port = free_port()
        webs.append(
            BotProcess(
                tg.base_url, db_url, tmp_path, role="web", name=f"web{i}", WEB_PORT=str(port), **common
            )
        )
        tg.webhook.targets.append(f"http://127.0.0.1:{port}")
    workers = [
        BotProcess(tg.base_url, db_url, tmp_path, role="worker", name=f"worker{i}", **common)
        for i in range(2)
    ]
    everyone = webs + workers
    partners = [SimUser(tg, user_id=BASE + i, first_name=f"P{i}", language_code="ru") for i in range(N)]
    answered: set[int] = set()

    def invited() -> int:
        sent = tg.sent_per_chat()
        return sum(1 for p in partners if sent.get(p.user_id))

    def asked() -> set[int]:
        """Chats that were sent question 2."""
        return {
            c.chat_id
            for c in tg.calls_for("sendMessage")
            if c.ok and Q2_DETRACTOR in str(c.params.get("text"))
        }

    async def answer(user: SimUser) -> None:
        await user.wait_text(Q1, timeout=240)
        msg = next(m for m in user.messages() if m.get("reply_markup"))
        data = msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert ScoreCb.unpack(data).score == 0
        # Not waiting for the callback answer: a tap that reached the killed replica is handled
        # by another one after the journal lease, when Telegram's 15 s for answering it are over.
        await user.press_data(data, msg["message_id"], wait_answer=False)
        answered.add(user.user_id)

    for proc in everyone:
        proc.start()
    try:
        await tg.wait_until(lambda: len(tg.calls_for("setWebhook")) >= 3, timeout=120)
        admin = SimUser(tg, user_id=ADMIN_ID, first_name="Admin", language_code="ru")
        tg.per_chat_burst = 10
        await admin.send_text("/newcampaign Большой запуск")
        await admin.wait_reply(timeout=30)
        await admin.press("🚀 Запустить", timeout=30)
        answering = [asyncio.create_task(answer(p)) for p in partners]

        await tg.wait_until(lambda: invited() >= N // 4, timeout=120)
        holder = str(await _db(db_url, "holder"))
        active = next(w for w in workers if w.proc is not None and f":{w.proc.pid}:" in holder)
        active.kill9()
        webs[0].kill9()
        assert invited() < N, "the launch must still be running at the kill"
        webs[0].start()
        await asyncio.gather(*answering)
        await tg.wait_until(lambda: invited() == N, timeout=60)
        for _ in range(360):  # every tap stored (through whichever replica), or give up after 3 min
            stored = await _db(db_url, "scores")
            if isinstance(stored, dict) and len(stored) == N:
                break
            await asyncio.sleep(0.5)
        # A question 2 a killed replica held waiting for its slot goes out once its lease ran out.
        await tg.wait_until(lambda: len(asked() & {p.user_id for p in partners}) == N, timeout=120)
    finally:
        for proc in everyone:
            await proc.terminate()

    def invitations(chat_id: int) -> int:
        return sum(
            1 for c in tg.calls_for("sendMessage", chat_id) if c.ok and Q1 in str(c.params.get("text"))
        )

    duplicates = sum(invitations(p.user_id) - 1 for p in partners if invitations(p.user_id) > 1)
    no_q2 = N - len(asked() & {p.user_id for p in partners})
    stored = await _db(db_url, "scores")
    assert isinstance(stored, dict)
    print(f"{N} partners: invitations twice: {duplicates}; 429s: {tg.count_429}; no question 2: {no_q2}")
    assert len(answered) == N
    assert tg.count_429 == 0, "five processes share one send budget: Telegram never says 429"
    assert stored == {p.user_id: 1 for p in partners}  # every answer stored, none twice
    assert duplicates <= default_window(SEND_RATE)  # only rows on the wire at the kill
    assert no_q2 == 0, "every partner who tapped is asked question 2, the killed replica's too"
    assert "Active worker" in "".join(w.logs() for w in workers if w is not active)

"""Webhook replicas as real processes behind the fake's load balancer: each update applied once."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import InboxUpdate, Response
from tests.e2e.botprocess import BotProcess
from tests.fakebot import FakeTelegram, SimUser

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

SECRET = "replica-Secret_42"
URL = "https://bot.example.test/tg/hook"
Q1 = "Насколько вероятно"
Q2 = "Что вы больше всего цените"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def replicas(tg: FakeTelegram, tmp_path: Path, db_url: str) -> AsyncIterator[list[BotProcess]]:
    """Two ``nps-bot web`` processes on one database, registered with the fake's balancer."""
    await upgrade_async(db_url)
    procs: list[BotProcess] = []
    for i in range(2):
        port = free_port()
        env = {"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
        proc = BotProcess(tg.base_url, db_url, tmp_path, role="web", name=f"web{i}", **env)
        proc.start()
        procs.append(proc)
        tg.webhook.targets.append(f"http://127.0.0.1:{port}")
    try:
        await tg.wait_until(lambda: len(tg.calls_for("setWebhook")) >= 2, timeout=120)  # loaded CI
        yield procs
    finally:
        for proc in procs:
            await proc.terminate()


async def _counts(db_url: str, update_id: int) -> tuple[list[int], int]:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            scores = list((await s.scalars(select(Response.score))).all())
            rows = int(await s.scalar(select(func.count()).where(InboxUpdate.update_id == update_id)) or 0)
        return scores, rows
    finally:
        await engine.dispose()


async def test_the_same_update_at_two_replicas_at_once_is_applied_once(
    tg: FakeTelegram, replicas: list[BotProcess], db_url: str
) -> None:
    user = SimUser(tg, user_id=7_600_200, first_name="P", language_code="ru")
    await user.send_text("/survey")
    await user.wait_text(Q1, timeout=20)
    tg.webhook.max_connections = 0  # hold Telegram's own delivery back for a moment
    await user.press("10", wait_answer=False)
    update_id = tg.updates.next_id - 1
    assert await tg.webhook.post_copies(update_id) == [200, 200]
    tg.webhook.max_connections = 40  # and Telegram delivers it a third time
    tg.webhook.wake()
    await tg.wait_until(lambda: tg.webhook.acked[update_id] == 1, timeout=20)
    await user.wait_text(Q2, timeout=20)
    scores, rows = await _counts(db_url, update_id)
    assert scores == [10] and rows == 1
    assert sum(Q2 in m.get("text", "") for m in user.messages()) == 1
    assert len([c for c in tg.calls_for("answerCallbackQuery") if c.ok]) == 1


async def test_partners_answer_through_two_replicas(
    tg: FakeTelegram, replicas: list[BotProcess], db_url: str
) -> None:
    users = [SimUser(tg, user_id=7_600_300 + i, first_name="P", language_code="ru") for i in range(6)]
    for user in users:
        await user.send_text("/survey")
    for user in users:
        await user.wait_text(Q1, timeout=20)
        await user.press("9", timeout=20)
        await user.wait_text(Q2, timeout=20)
    hit = {a.target.removesuffix("/tg/hook") for a in tg.webhook.attempts if a.ok}
    assert hit == set(tg.webhook.targets)  # the balancer used both
    scores, _ = await _counts(db_url, 0)
    assert sorted(scores) == [9] * len(users)

"""Scheduled jobs: once per period across restarts and workers; a locked database never holds the loop."""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import App
from scheduler.digest_jobs import WEEKLY_DIGEST_JOB, digest_job_specs
from scheduler.runner import JobRunner
from scheduler.setup import job_specs
from storage.models import InboxUpdate, JobRun, utcnow
from tests.conftest import MakeApp
from tests.fakebot import FakeTelegram
from tests.helpers import MANAGER_CHAT_ID

QUIET_WEEK = "За неделю новых ответов нет"


def digests(tg: FakeTelegram) -> int:
    return sum(QUIET_WEEK in m.get("text", "") for m in tg.chat_messages(MANAGER_CHAT_ID))


def next_digest_time(app: App, after: datetime) -> datetime:
    spec = next(s for s in digest_job_specs(app.services.settings) if s.id == WEEKLY_DIGEST_JOB)
    fire = spec.trigger.get_next_fire_time(None, after)
    assert fire is not None
    return fire


def jobs(app: App) -> JobRunner:
    assert app.worker is not None
    return app.worker.jobs


async def settled(app: App) -> set[str]:
    """Wait for the start-up catch-up (in the background) to have seen every job; their ids."""
    seen: set[str] = set()
    for _ in range(1000):
        async with app.services.sessionmaker() as s:
            seen = set((await s.scalars(select(JobRun.job))).all())
        if len(seen) == len(jobs(app).specs):
            break
        await asyncio.sleep(0.01)
    return seen


async def test_first_start_catches_nothing_up(tg: FakeTelegram, app: App) -> None:
    assert await settled(app) == {spec.id for spec in job_specs(app.services.settings)}
    assert digests(tg) == 0


async def test_digest_missed_during_downtime_is_posted_once_on_return(
    tg: FakeTelegram, make_app: MakeApp, stop_app: Any
) -> None:
    first = await make_app()
    await settled(first)  # the start-up catch-up saw every job (a first start: nothing ran)
    await stop_app(first)
    # Down across Monday 09:00; back an hour later.
    back = next_digest_time(first, utcnow()) + timedelta(hours=1)
    again = await make_app(clock=lambda: back)
    await tg.wait_until(lambda: digests(tg) == 1, timeout=10)
    assert WEEKLY_DIGEST_JOB not in await jobs(again).catch_up()  # a second catch-up: no digest
    # A second worker on the same database, its clock a little later in the same period.
    other = JobRunner(again.services.sessionmaker, job_specs(again.services.settings))
    assert WEEKLY_DIGEST_JOB not in await other.catch_up(now=back + timedelta(minutes=5))
    assert not await other.run(WEEKLY_DIGEST_JOB, now=back + timedelta(minutes=10))
    assert digests(tg) == 1
    # The next week is a new period.
    week_later = next_digest_time(first, back) + timedelta(minutes=1)
    assert await other.run(WEEKLY_DIGEST_JOB, now=week_later)
    assert digests(tg) == 2


async def test_two_workers_firing_at_once_post_one_digest(tg: FakeTelegram, app: App) -> None:
    at = next_digest_time(app, utcnow()) + timedelta(seconds=1)
    settings = app.services.settings
    workers = [JobRunner(app.services.sessionmaker, job_specs(settings)) for _ in range(3)]
    ran = await asyncio.gather(*(w.run(WEEKLY_DIGEST_JOB, now=at) for w in workers))
    assert sorted(ran) == [False, False, True]
    await tg.wait_until(lambda: digests(tg) == 1)
    assert digests(tg) == 1


async def test_a_failed_run_is_retried_at_the_next_catch_up(
    tg: FakeTelegram, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    await settled(app)
    at = next_digest_time(app, utcnow()) + timedelta(minutes=2)
    tg.inject_failure("sendMessage", "5xx", chat_id=MANAGER_CHAT_ID)
    assert not await jobs(app).run(WEEKLY_DIGEST_JOB, now=at)
    tg.clear_failures()
    assert WEEKLY_DIGEST_JOB in await jobs(app).catch_up(now=at + timedelta(minutes=1))
    assert digests(tg) == 1


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(10)
"""


async def test_loop_keeps_running_while_another_process_holds_the_write_lock(
    tg: FakeTelegram, app: App, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(app.services.settings.database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's file lock")
    caplog.set_level(logging.WARNING)
    users = [make_user(7_500_000 + i) for i in range(5)]
    loop = asyncio.get_running_loop()
    beats: list[float] = []

    async def heartbeat() -> None:
        while True:
            beats.append(loop.time())
            await asyncio.sleep(0.02)

    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCKER, str(url.database), stdout=asyncio.subprocess.PIPE
    )
    beat = asyncio.create_task(heartbeat())
    try:
        assert locker.stdout is not None
        assert (await locker.stdout.readline()).strip() == b"locked"
        for user in users:
            await user.send_text("/help")
        # Every scheduled job fires now and must wait for the lock (APScheduler's old SQLite job
        # store wrote synchronously here and froze the loop until the lock was gone).
        assert app.worker is not None
        for job in app.worker.scheduler.get_jobs():
            job.modify(next_run_time=datetime.now(app.services.settings.tz))
        # The bot got the updates and is waiting for the lock to journal them.
        await tg.wait_until(
            lambda: len(tg.updates.pending) == len(users) and all(p.delivered for p in tg.updates.pending),
            timeout=10,
        )
        start = len(beats)
        await tg.wait_until(lambda: len(beats) - start >= 60, timeout=30)  # about 1.2 s of beats
        assert locker.returncode is None, "the lock was released before the loop was checked"
        assert not any(u.messages() for u in users)  # nothing answered before it is journaled
    finally:
        if locker.returncode is None:
            locker.kill()
        await locker.wait()
        beat.cancel()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert max(gaps) < 3.0, f"the event loop stalled for {max(gaps):.1f} s"
    for user in users:
        await user.wait_text("/survey", timeout=20)
    async with app.services.sessionmaker() as s:
        errors = (await s.scalars(select(InboxUpdate.error).where(InboxUpdate.error.is_not(None)))).all()
    assert errors == []
    assert "database is locked" not in caplog.text

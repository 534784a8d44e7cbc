"""Webhook delivery benchmark: does the hook sender keep up with answers arriving at 30/s when
the receiver takes 200 ms per request?

    .venv/bin/python -m tests.benchmarks.webhooks [--answers 1000] [--rate 30] [--delay 0.2] [--db URL]

Answers go through the survey's own repository calls (score, comment, an area, done: four
events each, queued in the answer's transactions), paced at ``--rate`` answers/s, while the
worker's HookSender delivers them to an aiohttp receiver on 127.0.0.1 that verifies every
signature with standardwebhooks and answers after ``--delay`` seconds. Printed: events,
deliveries/s while answers arrived and overall, the largest backlog, the time the last event
waited after the last answer, duplicates and misses. Keeping up: every event delivered and the
backlog does not grow, so the last event is out within 2 s of the last answer. The lag of one
event is printed too but is not the verdict: a partner's four events go in order, so the fourth
waits for three 200 ms requests before it (a real partner's steps are seconds apart).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.hooks.sender import HookSender
from storage.migrate import upgrade_async
from storage.models import HookDelivery
from storage.models import hook as h
from storage.repo import hook_endpoints, responses
from tests.helpers import add_campaign, add_partner
from tests.hooks.receiver import Receiver
from tests.web_helpers import web_services


async def _backlog(services: object) -> int:
    async with services.sessionmaker() as s:  # type: ignore[attr-defined]
        return int(
            await s.scalar(
                select(func.count())
                .select_from(HookDelivery)
                .where(HookDelivery.status.in_((h.PENDING, h.SENDING)))
            )
            or 0
        )


async def run(answers: int, rate: float, delay: float, db_url: str) -> int:
    await upgrade_async(db_url)
    rx = Receiver(secret="", delay=delay)
    await rx.start()
    async with web_services(db_url, hooks_allow_http=True) as services:
        async with services.sessionmaker() as s:
            endpoint = await hook_endpoints.add(s, rx.url, "*")
            campaign = await add_campaign(s)
            pids = [(await add_partner(s, external_id=f"B{i}")).id for i in range(answers)]
            await s.commit()
        rx.secret = endpoint.secret
        sender = HookSender(services, poll_interval=0.05)
        await sender.start()
        expected = 4 * answers
        backlog_max = 0
        start = time.perf_counter()

        async def answer(i: int, pid: int) -> None:
            # One partner's four steps, each its own transaction, as the survey writes them.
            async with services.sessionmaker() as s:
                given = await responses.record_score(s, None, campaign.id, pid, i % 11, None)
                await s.commit()
                await responses.set_comment(s, given, f"комментарий {i}")
                await s.commit()
                await responses.toggle_driver(s, given, [], "payouts")
                await s.commit()
                await responses.complete(s, given)
                await s.commit()

        tasks = []
        for i, pid in enumerate(pids):  # partners answer side by side, ``rate`` a second
            pause = start + i / rate - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            tasks.append(asyncio.create_task(answer(i, pid)))
            if i % 30 == 0:
                backlog_max = max(backlog_max, await _backlog(services))
        await asyncio.gather(*tasks)
        arrived = time.perf_counter()
        deadline = arrived + 120
        while len(rx.first_seen()) < expected and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        done = time.perf_counter()
        await sender.stop()
    await rx.stop()
    firsts = rx.first_seen()
    got = len(firsts)
    lags = sorted(r.at - datetime.fromisoformat(r.timestamp).timestamp() for r in firsts)
    p50 = lags[len(lags) // 2] if lags else 0.0
    p95 = lags[int(len(lags) * 0.95)] if lags else 0.0
    worst = lags[-1] if lags else 0.0
    answered = answers / (arrived - start)
    # Keeping up: every event arrives, verified, and the backlog drains as the answers stop (a
    # sender falling behind would end seconds, then minutes, after the last answer).
    ok = got == expected and rx.unverified == 0 and done - arrived < 2.0
    name = db_url.split(":")[0]
    print(f"webhooks: {answers} answers paced at {rate:g}/s, receiver {delay * 1000:.0f} ms/request, {name}")
    print(
        f"  answers stored {answered:.1f}/s, events {expected}, delivered {got},"
        f" duplicates {len(rx.received) - got}"
    )
    print(f"  unverified {rx.unverified}; deliveries/s overall {got / (done - start):.1f}")
    print(f"  event queued -> verified at the receiver: p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s")
    print(f"  largest backlog {backlog_max} events; last event {done - arrived:.2f} s after the last answer")
    print(f"  keeps up with the answers: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        return asyncio.run(run(args.answers, args.rate, args.delay, db))


if __name__ == "__main__":
    sys.exit(main())

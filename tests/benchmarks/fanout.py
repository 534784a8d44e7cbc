"""Fan-out benchmark: the real sending engine against the fake Telegram at its own limit.

    .venv/bin/python -m tests.benchmarks.fanout [--partners N] [--paid-partners M]

For each scenario the fake Bot API runs in its own process (as Telegram is another machine)
with its global limit set to the bot's SEND_RATE; the bot is built with build_app() exactly as
``nps-bot run`` does, N partners are seeded and a campaign is launched. Printed per scenario:
achieved messages/s (first to last accepted invitation) as a ratio of the limit, 429s,
duplicates and misses. Targets: >= 0.95 of 25/s and 30/s with zero 429s; the 1000/s
paid-broadcast scenario shows how close one process gets on the machine at hand.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot import operations
from bot.app import build_app
from bot.config import Settings
from storage.migrate import upgrade_async
from storage.models import Partner, utcnow
from storage.repo import campaigns, deliveries
from tests.fakebot import FakeTelegram
from tests.helpers import ADMIN_ID, BOT_ID, BOT_USERNAME, TOKEN

BASE = 10_000_000


@dataclass(frozen=True)
class Scenario:
    """One run: the limit (= SEND_RATE), paid broadcast or not, how many partners."""

    rate: float
    paid: bool
    partners: int


@dataclass(frozen=True)
class Result:
    """What one run measured."""

    scenario: Scenario
    achieved: float
    rate_limited: int
    duplicates: int
    misses: int
    wall: float

    @property
    def ratio(self) -> float:
        """Achieved rate over the limit."""
        return self.achieved / self.scenario.rate


# -- the fake Telegram, in a child process ----------------------------------------------


def _fake_process(conn: Connection, rate: float, paid: bool) -> None:
    async def main() -> None:
        srv = FakeTelegram(
            token=TOKEN,
            bot_id=BOT_ID,
            bot_username=BOT_USERNAME,
            global_rate=30.0 if paid else rate,
            paid_rate=rate if paid else 1000.0,
        )
        await srv.start()
        conn.send(srv.base_url)
        loop = asyncio.get_running_loop()
        while (command := await loop.run_in_executor(None, conn.recv)) != "stop":
            assert command == "stats"
            sends = [
                c for c in srv.calls if c.method == "sendMessage" and c.ok and int(c.chat_id or 0) >= BASE
            ]
            per_chat = {k: v for k, v in srv.sent_per_chat().items() if k >= BASE}
            conn.send({"times": sorted(c.time for c in sends), "per_chat": per_chat, "r429": srv.count_429})
        await srv.stop()

    asyncio.run(main())


# -- the bot, in this process -------------------------------------------------------------


async def _seed(app: Any, n: int) -> None:
    async with app.services.sessionmaker() as s:
        now = utcnow()
        stamps = {"started_at": now, "created_at": now, "updated_at": now}
        rows = [{"telegram_id": BASE + i, **stamps} for i in range(n)]
        await s.execute(insert(Partner), rows)
        await s.commit()


async def _run_bot(base_url: str, scenario: Scenario, folder: Path) -> float:
    """Launch to every partner and wait until nothing is outstanding; returns the wall time."""
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": base_url,
        "database_url": f"sqlite+aiosqlite:///{folder / 'bench.db'}",
        "admin_ids": str(ADMIN_ID),
        "send_rate": scenario.rate,
        # The fake's limit is the scenario's rate; paid broadcasts have a bucket of their own.
        "telegram_rate": 30.0 if scenario.paid else scenario.rate,
        "paid_broadcast": scenario.paid,
        "quarterly_campaign": False,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    await upgrade_async(settings.database_url)
    app = build_app(settings, polling_timeout=1)
    task = asyncio.create_task(app.run())
    engine = app.worker.sender
    while not engine.running:  # noqa: ASYNC110 - the app exposes no "started" event
        await asyncio.sleep(0.05)
    await _seed(app, scenario.partners)
    started = time.monotonic()
    async with app.services.sessionmaker() as s:
        campaign = await campaigns.create_draft(s, "benchmark")
        await operations.launch(app.services, s, campaign, now=utcnow())
    while True:
        await asyncio.sleep(1.0)
        async with app.services.sessionmaker() as s:
            if (await deliveries.counts(s, [campaign.id]))[campaign.id].outstanding == 0:
                break
    wall = time.monotonic() - started
    app.stop()
    await task
    return wall


def run(scenario: Scenario) -> Result:
    """One scenario end to end."""
    parent, child = mp.get_context("spawn").Pipe()
    fake = mp.get_context("spawn").Process(target=_fake_process, args=(child, scenario.rate, scenario.paid))
    fake.start()
    try:
        base_url = parent.recv()
        with tempfile.TemporaryDirectory() as folder:
            wall = asyncio.run(_run_bot(base_url, scenario, Path(folder)))
        parent.send("stats")
        stats = parent.recv()
    finally:
        parent.send("stop")
        fake.join(10)
    times: list[float] = stats["times"]
    per_chat: dict[int, int] = stats["per_chat"]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return Result(
        scenario=scenario,
        achieved=(len(times) - 1) / span if span else 0.0,
        rate_limited=int(stats["r429"]),
        duplicates=sum(n - 1 for n in per_chat.values() if n > 1),
        misses=scenario.partners - len(per_chat),
        wall=wall,
    )


def main() -> None:
    """Run the scenarios and print a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--partners", type=int, default=600, help="partners for the 25/s and 30/s runs")
    parser.add_argument("--paid-partners", type=int, default=6000, help="partners for the 1000/s run")
    args = parser.parse_args()
    scenarios = [
        Scenario(25, False, args.partners),
        Scenario(30, False, args.partners),
        Scenario(1000, True, args.paid_partners),
    ]
    head = ("limit", "partners", "achieved/s", "ratio", "429s", "dups", "misses", "wall")
    print("{:>10} {:>8} {:>10} {:>6} {:>5} {:>5} {:>6} {:>7}".format(*head))
    for scenario in scenarios:
        r = run(scenario)
        label = f"{scenario.rate:g}/s" + (" paid" if scenario.paid else "")
        print(
            f"{label:>10} {scenario.partners:>8} {r.achieved:>10.1f} {r.ratio:>6.3f} "
            f"{r.rate_limited:>5} {r.duplicates:>5} {r.misses:>6} {r.wall:>6.1f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""Responsiveness during a big import: other partners' /help while an admin imports 100k rows.

    .venv/bin/python -m tests.benchmarks.import_responsiveness [--rows 100000] [--partners 10]

The bot runs as ``python -m bot run`` in a process of its own (a frozen bot must not freeze the
simulated users, or the freeze would hide itself), on a fresh SQLite file (or
``--database-url``), against the fake Bot API in this process (flood limits off: they are not
under test). The admin sends a CSV of ``--rows`` partners with the caption /import; meanwhile
``--partners`` partners each send /help, wait for the answer and send again after 200 ms, until
the import report arrives. Printed: the import's duration and the /help reply latency during it
(p50, p95, max: time from the update being offered to the bot to the bot's sendMessage).
Target: p95 under 1 s during a 100k-row import (issue 12 item 6).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import ADMIN_ID, BOT_ID, BOT_USERNAME, TOKEN

PARTNER_BASE = 7_000_000
ROOT = Path(__file__).resolve().parents[2]


def _csv(rows: int) -> bytes:
    lines = ["external_id,name,segment,monthly_revenue,language"]
    lines += [f"P{i:06d},Partner {i},seg{i % 10},{i % 5000}.50,ru" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def _reply_time(tg: FakeTelegram, chat_id: int, since: float, limit: float = 120) -> float | None:
    """When the bot's first sendMessage to ``chat_id`` after ``since`` was made (None: not within
    ``limit`` seconds). A /help sent just before the import ends is still waited for, so a
    frozen bot shows up as the long waits it causes."""
    while time.monotonic() - since < limit:
        for call in reversed(tg.calls_for("sendMessage", chat_id)):
            if call.time > since:
                return call.time
        await asyncio.sleep(0.005)
    return None


async def _partner(tg: FakeTelegram, user: SimUser, done: asyncio.Event, out: list[float]) -> None:
    while not done.is_set():
        sent = time.monotonic()
        await user.send_text("/help")
        answered = await _reply_time(tg, user.chat_id, sent)
        out.append((answered if answered is not None else time.monotonic()) - sent)
        await asyncio.sleep(0.2)


async def run(rows: int, partners: int, database_url: str | None) -> None:
    """One measured import."""
    folder = Path(tempfile.mkdtemp(prefix="nps-import-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    tg = FakeTelegram(token=TOKEN, bot_id=BOT_ID, bot_username=BOT_USERNAME, enforce_limits=False)
    await tg.start()
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.base_url,
        "DATABASE_URL": url,
        "ADMIN_IDS": str(ADMIN_ID),
        "DEFAULT_LOCALE": "ru",
        "MANAGER_CHAT_ID": "",
        "PYTHONPATH": str(ROOT),  # the code of this checkout, whatever is installed
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=folder, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        await tg.wait_until(lambda: bool(tg.calls_for("getUpdates")), 120)
        users = [SimUser(tg, PARTNER_BASE + i, first_name=f"P{i}") for i in range(partners)]
        for user in users:  # registered before the import, so /help is their usual path
            await user.send_text("/start")
            await tg.wait_until(lambda u=user: bool(tg.calls_for("sendMessage", u.chat_id)), 60)
        idle: list[float] = []
        idle_done = asyncio.Event()
        idle_tasks = [asyncio.create_task(_partner(tg, u, idle_done, idle)) for u in users]
        await asyncio.sleep(2)
        idle_done.set()
        await asyncio.gather(*idle_tasks)

        admin = SimUser(tg, ADMIN_ID, first_name="Admin")
        content = _csv(rows)
        latencies: list[float] = []
        done = asyncio.Event()
        started = time.monotonic()
        await admin.send_document("partners.csv", content, caption="/import")
        tasks = [asyncio.create_task(_partner(tg, u, done, latencies)) for u in users]
        report = await admin.wait_text("Импорт", timeout=900)
        elapsed = time.monotonic() - started
        done.set()
        await asyncio.gather(*tasks)
    finally:
        bot.terminate()
        await bot.wait()
        await tg.stop()
    print(f"rows: {rows}, file: {len(content) / 1e6:.1f} MB, database: {url.split(':', 1)[0]}")
    print(f"import: {elapsed:.1f} s — {report['text'].splitlines()[0]}")
    for label, values in (("idle", idle), ("during import", latencies)):
        if not values:
            print(f"/help {label}: no replies")
            continue
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"/help {label}: n={len(values)} p50={statistics.median(values) * 1000:.0f} ms "
            f"p95={p95 * 1000:.0f} ms max={ordered[-1] * 1000:.0f} ms"
        )


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.partners, args.database_url))


if __name__ == "__main__":
    main()

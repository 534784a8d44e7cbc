"""Start to polling: from spawning ``python -m bot run`` to its first ``getUpdates``.

    .venv/bin/python -m tests.benchmarks.startup [--rounds 3]

A new SQLite database; the first start trains the comment classifier and saves it (model_cache),
the later ones load it. Printed per start: seconds to the first getUpdates (target <= 2 s) and
to "Theme classifier ready" in the log.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from tests.e2e.botprocess import BotProcess
from tests.fakebot import FakeTelegram
from tests.helpers import BOT_ID, BOT_USERNAME, TOKEN


async def _one(tg: FakeTelegram, db_url: str, workdir: Path, name: str) -> tuple[float, float]:
    before = len(tg.calls_for("getUpdates"))
    bot = BotProcess(tg.base_url, db_url, workdir, name=name)
    started = time.perf_counter()
    bot.start()
    await tg.wait_until(lambda: len(tg.calls_for("getUpdates")) > before, 120, "no getUpdates")
    polling = time.perf_counter() - started
    await tg.wait_until(lambda: "Theme classifier ready" in bot.logs(), 120, "classifier not ready")
    ready = time.perf_counter() - started
    await bot.terminate()
    return polling, ready


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db_url = f"sqlite+aiosqlite:///{workdir}/nps.db"
        async with FakeTelegram(token=TOKEN, bot_id=BOT_ID, bot_username=BOT_USERNAME) as tg:
            for i in range(rounds):
                polling, ready = await _one(tg, db_url, workdir, f"bot{i}")
                kind = "first start (trains, saves)" if i == 0 else "later start (loads)"
                load = os.getloadavg()[0]
                print(f"{kind}: polling after {polling:.2f} s, classifier ready after {ready:.2f} s "
                      f"(load average {load:.1f} on {os.cpu_count()} cores)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))

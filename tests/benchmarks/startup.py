"""Start to polling: from spawning ``python -m bot run`` to its first ``getUpdates``.

    .venv/bin/python -m tests.benchmarks.startup [--rounds 3] [--no-compile]

A new SQLite database; the first start trains the comment classifier and saves it (model_cache),
the later ones load it. Printed per start: seconds to the first getUpdates (target <= 2 s) and
to "Theme classifier ready" in the log.

The project's own modules are byte-compiled first, as an installed package is (pip compiles at
install, so the Docker image has them): with the editable install of a checkout and
PYTHONDONTWRITEBYTECODE=1 (this team's machines, .ci/run) nothing else writes them, and every
start compiled ~190 modules from source (about 1 s of CPU here). ``--no-compile`` measures that
case (it removes nothing: run it on a checkout without __pycache__ to see it).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
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


ROOT = Path(__file__).resolve().parents[2]


async def main(rounds: int, compile_first: bool) -> None:
    if compile_first:
        for package in ("bot", "storage", "scheduler"):
            compileall.compile_dir(ROOT / package, quiet=1)
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
    parser.add_argument("--no-compile", action="store_true", help="do not byte-compile the project first")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, not args.no_compile))

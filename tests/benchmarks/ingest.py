"""Ingest benchmark: N partners complete the survey concurrently through the fake Bot API.

    python -m tests.benchmarks.ingest [--partners 200] [--rounds 5] [--database-url URL]

Prints completed surveys/s, updates/s, p95 reply latency and the bot's CPU time per update for
partner-pulse (the real ``python -m bot run`` process: journal, database, FSM in the database)
and for a bare aiogram echo bot (``tests.benchmarks.echo_bot``: memory storage, no database)
driven the same way (5 updates per partner, each waiting for the bot's reply), then our
throughput as a ratio of the echo bot's: rounds are interleaved and the medians compared.
Target: ratio >= 0.3 on SQLite.

The bot's database is a new SQLite file in a temp folder per round, or with
``--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres`` a new PostgreSQL
database per round on that server (created, migrated by the bot at start-up, dropped after).
``INGEST_PRINT_PID=1`` prints the bot's pid once its start-up is over, for a profiler
(``py-spy record --pid ...``, see docs/benchmarks.md).

Each bot runs as its own process, as in production; the fake server and the simulated partners
share this process. Telegram's rate limits are off in the fake for both bots: this measures how
fast we process updates, not how fast Telegram lets us talk.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.benchmarks import pgdb
from tests.fakebot import FakeTelegram
from tests.fakebot.state import ApiCall

TOKEN = "123456:BENCH-token"
ROOT = Path(__file__).resolve().parents[2]
Key = tuple[str, Any]
THANKS = "Спасибо! Ваш ответ сохранен"
READY_LINE = "Theme classifier ready"  # bot/theme_setup.py, the last of start-up's work


class NotifyingTelegram(FakeTelegram):
    """The fake server, waking waiters on each successful reply instead of being polled."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.waiters: dict[Key, list[asyncio.Future[ApiCall]]] = defaultdict(list)

    def expect(self, key: Key) -> asyncio.Future[ApiCall]:
        """A future resolved by the next call matching ``key``."""
        fut: asyncio.Future[ApiCall] = asyncio.get_running_loop().create_future()
        self.waiters[key].append(fut)
        return fut

    def _reply(self, call: ApiCall, outcome: Any) -> web.Response:
        response = super()._reply(call, outcome)
        if call.status == 200:
            if call.method == "sendMessage":
                key: Key = ("msg", call.chat_id)
            elif call.method == "answerCallbackQuery":
                key = ("cb", call.params.get("callback_query_id"))
            elif call.method == "editMessageText" and THANKS in str(call.params.get("text", "")):
                key = ("thanks", call.chat_id)
            else:
                return response
            for fut in self.waiters.pop(key, []):
                if not fut.done():
                    fut.set_result(call)
        return response


class Partner:
    """One simulated partner; each step pushes an update and waits for the reply it causes."""

    def __init__(self, srv: NotifyingTelegram, uid: int, latencies: list[float]) -> None:
        self.srv = srv
        self.uid = uid
        self.user = {"id": uid, "is_bot": False, "first_name": f"P{uid}", "language_code": "ru"}
        self.chat = {"id": uid, "type": "private", "first_name": f"P{uid}"}
        self.latencies = latencies

    async def _timed(self, fut: asyncio.Future[ApiCall]) -> None:
        start = time.perf_counter()
        await asyncio.wait_for(fut, 60)
        self.latencies.append(time.perf_counter() - start)

    async def text(self, text: str) -> None:
        fut = self.srv.expect(("msg", self.uid))
        self.srv.push_message(self.user, self.chat, text)
        await self._timed(fut)

    def _button(self, label: str | None) -> tuple[dict[str, Any], str]:
        for msg in reversed(self.srv.chat_messages(self.uid)):
            for row in msg.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if label is None or button["text"] == label:
                        return msg, button["callback_data"]
        raise AssertionError(f"no button {label!r} for {self.uid}")

    async def tap(self, label: str | None, wait_for: str) -> None:
        msg, data = self._button(label)
        if wait_for in ("msg", "thanks"):
            fut = self.srv.expect((wait_for, self.uid))
            self.srv.push_callback(self.user, msg, data)
        else:
            # The query id is known only after the push; the push is synchronous, so no race.
            _, query_id = self.srv.push_callback(self.user, msg, data)
            fut = self.srv.expect(("cb", query_id))
        await self._timed(fut)


async def survey_flow(p: Partner) -> None:
    """The real survey: /survey, score, comment, one area, Done."""
    await p.text("/survey")
    await p.tap("7", "msg")
    await p.text("Выплаты задерживают, а поддержка отвечает долго")
    await p.tap("Скорость выплат", "cb")
    await p.tap("Готово", "thanks")  # the thanks is the areas message, edited


async def echo_flow(p: Partner) -> None:
    """The same five updates against the echo bot."""
    await p.text("/survey")
    await p.tap(None, "msg")
    await p.text("Выплаты задерживают, а поддержка отвечает долго")
    await p.tap(None, "cb")
    await p.tap(None, "msg")


async def _wait_for_log(path: Path, line: str, proc: subprocess.Popen[bytes]) -> None:
    """Until the bot has written ``line`` to its log (3 minutes at most: a loaded machine)."""
    async with asyncio.timeout(180):
        while line not in await asyncio.to_thread(path.read_text, errors="replace"):
            if proc.poll() is not None:
                raise RuntimeError(f"the bot exited with {proc.returncode} before logging {line!r}")
            await asyncio.sleep(0.2)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(
    n: int,
    flow: Callable[[Partner], Awaitable[None]],
    command: list[str],
    database_url: str | None = None,
) -> dict[str, float]:
    """Start a fake server and a bot process, run ``n`` partners through ``flow`` concurrently.

    ``database_url``: a PostgreSQL server to create this round's database on; None for a new
    SQLite file."""
    folder = Path(tempfile.mkdtemp(prefix="ingest-"))
    pg_name = pgdb.fresh_name("ingest") if pgdb.is_postgres(database_url) else None
    if database_url is not None and pg_name is not None:
        bot_db = await pgdb.create_database(database_url, pg_name)
    else:
        bot_db = database_url or f"sqlite+aiosqlite:///{folder / 'nps.db'}"
    try:
        return await _drive(n, flow, command, folder, bot_db)
    finally:
        if database_url is not None and pg_name is not None:
            await pgdb.drop_database(database_url, pg_name)
        shutil.rmtree(folder, ignore_errors=True)


async def _drive(
    n: int, flow: Callable[[Partner], Awaitable[None]], command: list[str], folder: Path, bot_db: str
) -> dict[str, float]:
    srv = NotifyingTelegram(token=TOKEN, bot_id=123456, bot_username="bench_bot", enforce_limits=False)
    await srv.start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_"))},
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": srv.base_url,
        "DATABASE_URL": bot_db,
        "WEEKLY_DIGEST": "false",
        "QUARTERLY_CAMPAIGN": "false",
        # The fake's limits are off: so is the bot's own send budget (bot/send_budget.py).
        "TELEGRAM_RATE": "1000",
        "PYTHONPATH": str(ROOT),
    }
    # A plain Popen: we need its pid for /proc CPU accounting, and start-up is not on the clock.
    log = (folder / "bot.log").open("wb")
    proc = subprocess.Popen(  # noqa: ASYNC220
        command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=log
    )
    latencies: list[float] = []
    try:
        while not srv.calls_for("getUpdates"):
            if proc.poll() is not None:
                raise RuntimeError(f"{command} exited with {proc.returncode}")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # let start-up finish (commands, scheduler) before timing
        if command == PARTNER_PULSE:
            # The theme classifier trains in a worker thread at start-up (a few CPU seconds,
            # once per process): a running bot has done that long before, so wait for it.
            await _wait_for_log(folder / "bot.log", READY_LINE, proc)
        if os.environ.get("INGEST_PRINT_PID"):  # for a profiler: attach now, start-up is over
            print(f"bot pid {proc.pid}: {' '.join(command[1:])}", flush=True)
        partners = [Partner(srv, 10_000 + i, latencies) for i in range(n)]
        cpu_before = _cpu_seconds(proc.pid)
        started = time.perf_counter()
        await asyncio.gather(*(flow(p) for p in partners))
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds(proc.pid) - cpu_before
    except BaseException:
        # The bot's own account of what went wrong (it logs to stderr), not just our timeout.
        print((folder / "bot.log").read_text(errors="replace")[-4000:], file=sys.stderr)
        raise
    finally:
        log.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        await srv.stop()
    latencies.sort()
    return {
        "surveys_per_s": n / elapsed,
        "updates_per_s": 5 * n / elapsed,
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "median_ms": statistics.median(latencies) * 1000,
        "cpu_ms_per_update": cpu / (5 * n) * 1000,
        "elapsed_s": elapsed,
    }


PARTNER_PULSE = [sys.executable, "-m", "bot", "run"]
ECHO_BOT = [sys.executable, "-m", "tests.benchmarks.echo_bot"]


def _line(name: str, r: dict[str, float]) -> str:
    return (
        f"{name:<15} {r['surveys_per_s']:8.1f} surveys/s {r['updates_per_s']:8.1f} updates/s "
        f"p95 {r['p95_ms']:7.1f} ms  median {r['median_ms']:6.1f} ms  "
        f"bot CPU {r['cpu_ms_per_update']:5.1f} ms/update  ({r['elapsed_s']:.1f} s)"
    )


async def main(partners: int, rounds: int, database_url: str | None = None) -> float:
    """Run both bots ``rounds`` times, interleaved; print each round and the medians; return
    the ratio of the median throughputs.

    Interleaving and medians because this machine's speed drifts: one round can be off by a
    third either way, and the echo bot's run lasts only a second or two."""
    backend = "PostgreSQL" if pgdb.is_postgres(database_url) else "SQLite"
    ours_rates, echo_rates = [], []
    for r in range(rounds):
        echo = await drive(partners, echo_flow, ECHO_BOT)
        ours = await drive(partners, survey_flow, PARTNER_PULSE, database_url)
        echo_rates.append(echo["updates_per_s"])
        ours_rates.append(ours["updates_per_s"])
        print(f"round {r + 1}: {partners} partners x 5 updates, Telegram limits off, {backend}")
        print(_line("echo bot", echo))
        print(_line("partner-pulse", ours))
        print(f"ratio this round: {ours['updates_per_s'] / echo['updates_per_s']:.2f}")
    ratio = statistics.median(ours_rates) / statistics.median(echo_rates)
    per_round = [o / e for o, e in zip(ours_rates, echo_rates, strict=True)]
    print(
        f"median over {rounds} round(s): echo {statistics.median(echo_rates):.1f} updates/s, "
        f"partner-pulse {statistics.median(ours_rates):.1f} updates/s"
    )
    print(
        f"ratio (partner-pulse / echo, median updates/s): {ratio:.2f}  target >= 0.30 (SQLite)  "
        f"(rounds: {min(per_round):.2f}-{max(per_round):.2f})"
    )
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    return ratio


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to create a throwaway database on per round"
        " (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres);"
        " default: a SQLite file in the temp folder",
    )
    args = parser.parse_args()
    asyncio.run(main(args.partners, args.rounds, args.database_url))

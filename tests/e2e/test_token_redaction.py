"""The bot token never appears in anything the process prints, whichever path prints it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.logging_setup import Redactor
from tests.e2e.botprocess import ROOT, BotProcess
from tests.fakebot import FakeTelegram
from tests.helpers import TOKEN

SECRET = TOKEN.partition(":")[2]


def _assert_clean(output: str) -> None:
    assert TOKEN not in output, output
    assert SECRET not in output, output
    assert "***" in output, output  # something was redacted: the paths below were exercised


async def test_bot_run_redacts_the_token_in_log_lines_and_uncaught_tracebacks(
    tg: FakeTelegram, db_url: str, tmp_path: Path
) -> None:
    # getMe's error is logged and retried; deleteWebhook's is uncaught: a traceback, exit 1.
    tg.inject_failure("getMe", "echo400", count=1)
    tg.inject_failure("deleteWebhook", "echo400", count=1)
    bot = BotProcess(tg.base_url, db_url, tmp_path)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=bot.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 90)
    finally:
        if proc.returncode is None:  # timed out (or the test failed): no process left behind
            proc.kill()
            await proc.wait()
    output = out.decode(errors="replace")
    assert proc.returncode == 1, output
    assert "Traceback" in output and "deleteWebhook" in output and "getMe" in output, output
    _assert_clean(output)


# Every way Python prints besides logging: print, warnings, the asyncio loop's exception
# handler, a task exception nobody retrieved, a thread's uncaught exception, the process's.
SCRIPT = """
import asyncio, sys, threading, warnings
from bot.logging_setup import setup_logging

token = sys.argv[1]
setup_logging(token)
print("print", token)
print("split", token[:4], end="")
print(token[4:])
warnings.warn("warning " + token)


async def fail() -> None:
    raise RuntimeError("task " + token)


async def main() -> None:
    loop = asyncio.get_running_loop()
    loop.call_exception_handler({"message": "loop handler " + token})
    loop.create_task(fail())
    await asyncio.sleep(0)


asyncio.run(main())
thread = threading.Thread(target=lambda: 1 / 0 if token else None, name="t-" + token)
thread.start()
thread.join()
raise SystemError("uncaught " + token)
"""


def test_every_output_path_is_redacted(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"} | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, TOKEN],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for seen in ("print ***", "split ***", "warning ***", "loop handler ***", "task ***", "uncaught ***"):
        assert seen in output, (seen, output)
    assert "t-***" in output and "ZeroDivisionError" in output, output
    _assert_clean(output)


def test_a_short_token_is_redacted_whole_and_other_text_left_alone() -> None:
    redact = Redactor(["1:x"])
    text = "Context: bot1:x/getMe failed; 11:x and 1:xy are other things; token=1:x."
    assert redact(text) == "Context: bot***/getMe failed; 11:x and 1:xy are other things; token=***."


def test_a_long_secret_part_is_redacted_alone_too() -> None:
    redact = Redactor([TOKEN])
    assert redact(f"a {SECRET} b bot{TOKEN}/x {SECRET}z") == f"a *** b bot***/x {SECRET}z"

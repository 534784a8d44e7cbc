"""``python -m bot run`` against a Telegram that says no, or is not there: one line, no traceback."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.e2e.botprocess import BotProcess
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.slow


async def _start(base_url: str, db_url: str, workdir: Path, **env: str) -> asyncio.subprocess.Process:
    bot = BotProcess(base_url, db_url, workdir, **env)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=workdir,
        env=bot.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _lines(data: bytes) -> list[str]:
    return [line for line in data.decode(errors="replace").splitlines() if line.strip()]


async def test_a_rejected_token_is_one_line_and_exit_code_2(
    tg: FakeTelegram, db_url: str, tmp_path: Path
) -> None:
    proc = await _start(tg.base_url, db_url, tmp_path, BOT_TOKEN="123456:not-the-right-token")
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 2, (out, err)
    lines = _lines(err)
    assert lines[-1] == "nps-bot: BOT_TOKEN was rejected by Telegram (401)", lines
    assert "Traceback" not in err.decode() + out.decode()
    assert len(tg.calls_for("getMe")) == 1  # not retried: a wrong token does not heal


async def test_unreachable_telegram_is_retried_line_by_line_until_sigterm(
    db_url: str, tmp_path: Path
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = await _start(f"http://127.0.0.1:{port}", db_url, tmp_path)
    assert proc.stderr is not None
    attempts: list[str] = []
    while len(attempts) < 2:  # the first delays are 0.5 s and 1 s
        line = (await asyncio.wait_for(proc.stderr.readline(), 90)).decode()
        assert line, "the bot exited instead of retrying"
        if "Telegram not reachable" in line:
            attempts.append(line)
    proc.send_signal(signal.SIGTERM)
    _out, rest = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0  # a clean stop, though Telegram never answered
    assert "attempt 1," in attempts[0] and "attempt 2," in attempts[1]
    assert "TELEGRAM_API_URL" in attempts[0] and "network" in attempts[0]  # what to check
    assert "Traceback" not in "".join(attempts) + rest.decode()

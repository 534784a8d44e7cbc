"""Start-up as an operator meets it, through real ``python -m bot`` processes: every failure is
one line naming the setting and what to do; no Alembic/APScheduler chatter; a stop is logged;
the classifier is trained once per corpus and loaded by later starts; ``--help`` is light."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from storage.migrate import upgrade_async
from tests.e2e.botprocess import ROOT, BotProcess
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.slow


async def _one_shot(workdir: Path, *args: str, **env: str) -> tuple[int, list[str]]:
    """Run ``python -m bot ARGS`` to its end; (exit code, non-empty stderr+stdout lines)."""
    bot = BotProcess("http://127.0.0.1:9", "sqlite+aiosqlite:///unused.db", workdir, **env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=workdir, env=bot.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 90)
    lines = [line for line in out.decode(errors="replace").splitlines() if line.strip()]
    assert proc.returncode is not None
    return proc.returncode, lines


async def test_web_without_webhook_url_is_one_line(tmp_path: Path) -> None:
    code, lines = await _one_shot(tmp_path, "web", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert code == 2
    assert len(lines) == 1 and "WEBHOOK_URL is not set" in lines[0] and "nps-bot run" in lines[0], lines


async def test_refused_database_is_one_line_with_host_and_port(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+asyncpg://nps:s3cret-pw@127.0.0.1:{port}/nps"
    code, lines = await _one_shot(tmp_path, "run", DATABASE_URL=url)
    assert code == 1
    assert len(lines) == 1, lines
    assert "DATABASE_URL" in lines[0] and f"127.0.0.1:{port}" in lines[0] and "refused" in lines[0]
    assert "s3cret-pw" not in lines[0]


async def test_database_path_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    url = f"sqlite+aiosqlite:///{blocker}/data/nps.db"
    for command in ("migrate", "run"):  # run looks at the schema's revision before Alembic
        code, lines = await _one_shot(tmp_path, command, DATABASE_URL=url)
        assert code == 1
        assert len(lines) == 1 and "DATABASE_URL" in lines[0] and f"{blocker}/data/nps.db" in lines[0], lines


async def test_a_start_on_sqlite_at_head_loads_neither_alembic_nor_postgresql(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/nps.db"
    await upgrade_async(url)
    probe = (
        "import asyncio, sys\n"
        "from bot.cli import _import_app, _upgrade\n"
        "from bot.config import load_settings\n"
        "_import_app()\n"
        "asyncio.run(_upgrade(sys.argv[1], unless_at_head=True))\n"
        "from bot.app import build_app\n"
        "build_app(load_settings())\n"  # with API_TOKEN: the HTTP server and its /readyz too
        "print('LOADED', [m for m in ('alembic', 'sqlalchemy.dialects.postgresql') if m in sys.modules])\n"
    )
    env = BotProcess("http://127.0.0.1:9", url, tmp_path, API_TOKEN="a" * 32).env
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", probe, url, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert "LOADED []" in out.decode(), (out.decode()[-300:], err.decode()[-1000:])


async def test_quiet_start_logged_stop_and_a_classifier_trained_once(
    tg: FakeTelegram, db_url: str, tmp_path: Path
) -> None:
    logs = []
    for name in ("first", "second"):
        bot = BotProcess(tg.base_url, db_url, tmp_path, name=name)
        bot.start()
        await tg.wait_until(lambda b=bot: "Theme classifier ready" in b.logs(), 120, "classifier not ready")  # type: ignore[misc]
        assert await bot.terminate() == 0
        logs.append(bot.logs())
    first, second = logs
    assert "trained" in first.split("Theme classifier ready", 1)[1].splitlines()[0]
    assert "loaded" in second.split("Theme classifier ready", 1)[1].splitlines()[0]
    for text in logs:
        assert " INFO alembic" not in text and " INFO apscheduler" not in text, text
        assert text.rstrip().splitlines()[-1].endswith("Stopped (run)"), text[-500:]


def test_help_is_light_and_says_what_each_command_takes() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = (
        "import sys\n"
        "from bot.cli import _parser\n"
        "try:\n    _parser().parse_args(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('aiogram', 'sqlalchemy', 'alembic', 'pydantic', 'numpy') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout[-300:]
    imp = subprocess.run(
        [sys.executable, "-m", "bot", "import-partners", "--help"], env=env, capture_output=True, text=True
    )
    assert imp.returncode == 0
    for word in ("external_id", "telegram_id", "Windows-1251", "UTF-8", '";"'):
        assert word in imp.stdout, word
    web = subprocess.run(
        [sys.executable, "-m", "bot", "web", "--help"], env=env, capture_output=True, text=True
    )
    assert "WEBHOOK_URL" in web.stdout and "WEBHOOK_SECRET" in web.stdout

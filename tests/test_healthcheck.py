"""The container health check (deploy/healthcheck.py) as Docker runs it: a process, exit code 0/1."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from aiohttp import web

from storage.migrate import upgrade_async

SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "healthcheck.py"


async def _check(**env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_worker_is_healthy_while_its_database_answers(db_url: str, tmp_path: Path) -> None:
    await upgrade_async(db_url)
    assert await _check(NPS_ROLE="worker", DATABASE_URL=db_url) == (0, "")
    gone = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'nps.db'}"  # its folder does not exist
    code, out = await _check(NPS_ROLE="run", DATABASE_URL=gone)
    assert code == 1 and "unhealthy (run)" in out


async def test_web_is_healthy_while_healthz_answers_200() -> None:
    port = _free_port()
    status = 200

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(status=status, text="ok")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        assert await _check(NPS_ROLE="web", WEB_PORT=str(port)) == (0, "")
        status = 503
        code, out = await _check(NPS_ROLE="web", WEB_PORT=str(port))
        assert code == 1 and "503" in out
    finally:
        await runner.cleanup()
    code, out = await _check(NPS_ROLE="web", WEB_PORT=str(port))  # nothing listens any more
    assert code == 1 and "unhealthy (web)" in out

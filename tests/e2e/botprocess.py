"""Run the real ``python -m bot run`` process against the fake server, and kill it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.helpers import ADMIN_ID, MANAGER_CHAT_ID, TOKEN

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """One bot process; start()/kill9()/terminate(), logs in ``log_path``."""

    def __init__(
        self, base_url: str, db_url: str, workdir: Path, *, role: str = "run", name: str = "bot", **env: str
    ) -> None:
        self.role = role
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_", "ADMIN_", "MANAGER_"))
        }
        self.env.update(
            {
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": base_url,
                "DATABASE_URL": db_url,
                "ADMIN_IDS": str(ADMIN_ID),
                "MANAGER_CHAT_ID": str(MANAGER_CHAT_ID),
                "PYTHONPATH": str(ROOT),
                **env,
            }
        )
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start ``python -m bot <role>``."""
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", self.role],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill9(self) -> None:
        """SIGKILL: no clean-up, no flush, nothing."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    async def terminate(self, grace: float = 20) -> int | None:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        for _ in range(int(grace * 10)):
            if self.proc.poll() is not None:
                break
            await asyncio.sleep(0.1)
        else:
            self.proc.kill()
        return self.proc.wait(5)

    def logs(self) -> str:
        """Everything the process printed."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

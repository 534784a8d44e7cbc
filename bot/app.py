"""The one entry point that builds a role (run, web, worker): :func:`build_app` picks the role's
builder in bot/roles/ (run.py, web.py, worker.py; what they share is bot/roles/shared.py).

Tests build the very same objects through these factories."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

from aiogram.client.session.aiohttp import AiohttpSession

from bot.config import Settings
from bot.i18n import Translator
from bot.roles import run, web, worker
from bot.roles.shared import App, BuildOptions, create_bot
from bot.survey_definition import SURVEY, SurveyDefinition
from scheduler.runner import Clock
from storage.models import utcnow

__all__ = ["App", "build_app", "create_bot", "run_forever"]

BUILDERS: dict[str, Callable[[Settings, BuildOptions], App]] = {
    "run": run.build,
    "web": web.build,
    "worker": worker.build,
}


def build_app(
    settings: Settings,
    *,
    role: str = "run",
    polling_timeout: int = 25,
    request_timeout: float = 60,
    clock: Clock = utcnow,
    survey: SurveyDefinition = SURVEY,
    translator: Translator | None = None,
    session_class: type[AiohttpSession] = AiohttpSession,
) -> App:
    """Compose ``role`` from its typed parts (no I/O yet); see bot/roles/__init__.py.

    ``clock`` is the scheduler's time (tests move it); ``polling_timeout`` is getUpdates' long poll;
    ``survey`` the survey partners answer, ``translator`` its wording (bot/locales by default);
    ``session_class`` the Bots' HTTP session (aiogram's; tests close theirs without its wait).
    """
    if role not in BUILDERS:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(BUILDERS)}")
    options = BuildOptions(
        polling_timeout=polling_timeout,
        request_timeout=request_timeout,
        clock=clock,
        survey=survey,
        translator=translator,
        session_class=session_class,
    )
    return BUILDERS[role](settings, options)


async def run_forever(app: App) -> None:
    """Run until SIGINT/SIGTERM."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, app.stop)
        except NotImplementedError:  # pragma: no cover - non-Unix
            pass
    await app.run()

"""Attach the sending engine to the app: created at build time, started and stopped with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sending.engine import SendingEngine

if TYPE_CHECKING:
    from bot.app import App

SENDER = "sender"  # key in Services.extras


def install(app: App) -> None:
    """Create the engine at ``app.services.extras["sender"]`` and hook it to start/stop."""
    engine = SendingEngine(app.services)
    app.services.extras[SENDER] = engine

    async def start(app: App) -> None:
        await engine.start()

    async def stop(app: App) -> None:
        await engine.stop()

    app.starters.append(start)
    app.stoppers.append(stop)

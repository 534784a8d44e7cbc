"""Attach the comment-theme classifier to the app: built and taught in the background at start-up.

The model is trained from the corpus in the repository (a few seconds, in a worker thread, once
per process) and then learns every tag managers stored. Polling does not wait for it: a comment
that arrives meanwhile waits for the model to finish (only in the first seconds of a process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from storage.analytics import themes
from storage.repo.themes import load_tags

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def install(app: App) -> None:
    """Warm the classifier up and load the stored tags when the app starts."""
    tasks: list[asyncio.Task[None]] = []

    async def prepare() -> None:
        try:
            await asyncio.to_thread(themes.warm_up)
            async with app.services.sessionmaker() as session:
                count = await load_tags(session)
        except Exception:  # the bot still runs; comments are classified when the model is built
            log.exception("Theme classifier warm-up failed")
            return
        log.info("Theme classifier ready (%d tagged comments learned)", count)

    async def start(app: App) -> None:
        tasks.append(asyncio.create_task(prepare(), name="themes-warm-up"))

    async def stop(app: App) -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.starters.append(start)
    app.stoppers.append(stop)

"""Attach the comment-theme classifier to the app: built and taught in the background at start-up.

The model is trained from the corpus in the repository (a few seconds, in a worker thread, once
per process), then learns every tag managers stored and classifies the comments that arrived
meanwhile (they were stored unclassified: an update never waits for the training). Tags are
reloaded every few minutes, for tags made by another process of the install.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from storage.analytics import themes
from storage.models import utcnow
from storage.repo.themes import classify_missing, load_tags, tags_version

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
CATCH_UP = timedelta(days=1)  # comments stored unclassified by a process that stopped early
REFRESH = timedelta(minutes=5)  # a tag made here is learned at once; elsewhere within this


def install(app: App) -> None:
    """Warm the classifier up and load the stored tags when the app starts."""
    tasks: list[asyncio.Task[None]] = []

    async def prepare() -> None:
        started = utcnow() - CATCH_UP
        try:
            await asyncio.to_thread(themes.warm_up)
            async with app.services.sessionmaker() as session:
                count = await load_tags(session)
                caught_up = await classify_missing(session, started)
        except Exception:  # the bot still runs; --reclassify fills what is missing
            log.exception("Theme classifier warm-up failed")
            return
        log.info("Theme classifier ready (%d tags learned, %d comments caught up)", count, caught_up)
        async with app.services.sessionmaker() as session:
            known = await tags_version(session)
        while True:  # tags made by other processes of this install (web replicas)
            await asyncio.sleep(REFRESH.total_seconds())
            try:
                async with app.services.sessionmaker() as session:
                    version = await tags_version(session)
                    if version != known:  # relearning is CPU work: only when something changed
                        await load_tags(session)
                        known = version
            except Exception:
                log.exception("Reloading theme tags failed")

    async def start(app: App) -> None:
        tasks.append(asyncio.create_task(prepare(), name="themes-warm-up"))

    async def stop(app: App) -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.starters.append(start)
    app.stoppers.append(stop)

"""Attach the comment-theme classifier to the app: built and taught in the background at start-up.

The model is loaded from the database when a process of this install already trained it from
the same corpus (``model_cache``, keyed by a hash of the corpus: tens of milliseconds); else it is
trained from the corpus in the repository (seconds of CPU, in a worker thread) and saved there
for every later start. Training at every start of every process cost 3.4-4.7 s of CPU and held
the GIL while the process was connecting and starting to poll. Then it learns every tag managers
stored and classifies the comments that arrived meanwhile (they were stored unclassified: an
update never waits for the model). Tags are reloaded every few minutes, for tags made by another
process of the install.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.analytics import themes
from storage.analytics.themes import model as theme_model
from storage.models import utcnow
from storage.repo import model_cache
from storage.repo.themes import classify_missing, load_tags, tags_version

if TYPE_CHECKING:
    from bot.roles.shared import App

log = logging.getLogger(__name__)
CATCH_UP = timedelta(days=1)  # comments stored unclassified by a process that stopped early
REFRESH = timedelta(minutes=5)  # a tag made here is learned at once; elsewhere within this


async def load_or_train(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    """Make the default theme model: the saved one for this corpus, else train and save it;
    returns how ("loaded", "trained", "in memory")."""
    if theme_model.is_built():
        return "in memory"
    key = "themes:" + await asyncio.to_thread(theme_model.corpus_key)
    async with sessionmaker() as session:
        saved = await model_cache.load(session, key)
    if saved is not None:
        try:
            theme_model.install(await asyncio.to_thread(theme_model.from_bytes, saved))
            return "loaded"
        except (ValueError, KeyError, OSError):  # another format: train it again
            log.warning("Saved theme model %s unreadable; training it again", key[:20])
    model = await asyncio.to_thread(theme_model.default_model)
    data = await asyncio.to_thread(theme_model.to_bytes, model)
    async with sessionmaker() as session:
        await model_cache.save(session, key, data)
        await session.commit()
    return "trained"


def install(app: App) -> None:
    """Warm the classifier up and load the stored tags when the app starts."""
    tasks: list[asyncio.Task[None]] = []

    async def prepare() -> None:
        started = utcnow() - CATCH_UP
        try:
            how = await load_or_train(app.services.sessionmaker)
            await asyncio.to_thread(themes.warm_up)  # the lexicon index
            async with app.services.sessionmaker() as session:
                count = await load_tags(session)
                caught_up = await classify_missing(session, started)
        except Exception:  # the bot still runs; --reclassify fills what is missing
            log.exception("Theme classifier warm-up failed")
            return
        finally:
            for hook in app.ready_hooks:  # start-up has finished, the model loaded or not
                hook()
        log.info("Theme classifier ready (%s; %d tags learned, %d comments caught up)", how, count, caught_up)
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

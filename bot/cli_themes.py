"""``nps-bot themes --reclassify``: classify every stored comment again.

For after a model or areas change (a new corpus, a new AREAS_FILE). A person's tag is kept and
still wins; comments are done in batches, each committed, so an interrupted run loses at most
one batch and can simply be run again.
"""

from __future__ import annotations

import asyncio
import sys
import time

from bot.config import CommonSettings
from storage.analytics import themes
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.repo import themes as stored


async def themes_command(settings: CommonSettings, *, reclassify: bool) -> int:
    """Run the subcommand; returns the exit code (2: nothing asked)."""
    if not reclassify:
        print("nps-bot themes: nothing to do (use --reclassify)", file=sys.stderr)
        return 2
    await upgrade_async(settings.database_url)
    await asyncio.to_thread(themes.warm_up)
    engine = create_engine(settings.database_url, inline=False)
    started = time.perf_counter()
    try:
        async with create_sessionmaker(engine)() as session:
            taught = await stored.load_tags(session)  # what managers taught counts for the rest too
            done = await stored.reclassify(session)
    finally:
        await engine.dispose()
    print(f"reclassified {done} comments in {time.perf_counter() - started:.1f}s ({taught} tagged kept)")
    return 0

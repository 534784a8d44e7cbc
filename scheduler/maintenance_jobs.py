"""Housekeeping, hourly: handled rows of the update journal are deleted after a short retention.

See :mod:`storage.repo.privacy` for what the journal keeps and for how long.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from scheduler import runtime
from scheduler.periods import ANCHOR
from scheduler.specs import JobSpec
from storage.models import utcnow
from storage.repo import privacy

log = logging.getLogger(__name__)

JOURNAL_PRUNE_JOB = "journal-prune"
JOURNAL_PRUNE_EVERY_SECONDS = 3600  # every housekeeping job runs hourly

Work = Callable[[AsyncSession, datetime], Awaitable[int]]


async def _in_one_transaction(work: Work, now: datetime | None) -> int:
    async with runtime.services().sessionmaker() as session:
        done = await work(session, now or utcnow())
        await session.commit()
    return done


async def journal_prune_job(now: datetime | None = None) -> int:
    """Delete journal rows handled longer than JOURNAL_RETENTION ago; returns how many."""
    pruned = await _in_one_transaction(privacy.prune_journal, now)
    if pruned:
        log.info("Update journal: %d handled rows deleted", pruned)
    return pruned


def maintenance_job_specs(settings: Settings) -> list[JobSpec]:
    """The hourly journal clean-up (every install has a journal)."""
    trigger = IntervalTrigger(seconds=JOURNAL_PRUNE_EVERY_SECONDS, timezone=settings.tz, start_date=ANCHOR)
    jobs = (
        (JOURNAL_PRUNE_JOB, journal_prune_job, "Deleting handled updates from the journal"),
    )
    return [
        JobSpec(
            id=job_id,
            func=func,
            trigger=trigger,
            misfire_grace_time=JOURNAL_PRUNE_EVERY_SECONDS * 2,
            description=description,
        )
        for job_id, func, description in jobs
    ]

"""Housekeeping, hourly: handled rows of the update journal are deleted after a short retention,
and campaigns closed a while ago get their figures sealed for the digests.

See :mod:`storage.repo.privacy` for what the journal keeps and for how long, and
:mod:`storage.analytics.sealed` for the seals.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from scheduler import runtime
from scheduler.periods import ANCHOR
from scheduler.specs import JobSpec
from storage.analytics import sealed
from storage.models import utcnow
from storage.repo import privacy

log = logging.getLogger(__name__)

JOURNAL_PRUNE_JOB = "journal-prune"
JOURNAL_PRUNE_EVERY_SECONDS = 3600
FIGURES_SEAL_JOB = "figures-seal"


async def journal_prune_job(now: datetime | None = None) -> int:
    """Delete journal rows handled longer than JOURNAL_RETENTION ago; returns how many."""
    async with runtime.services().sessionmaker() as session:
        pruned = await privacy.prune_journal(session, now or utcnow())
        await session.commit()
    if pruned:
        log.info("Update journal: %d handled rows deleted", pruned)
    return pruned


async def figures_seal_job(now: datetime | None = None) -> int:
    """Seal the figures of campaigns closed long enough ago; returns how many."""
    async with runtime.services().sessionmaker() as session:
        done = await sealed.seal_closed(session, now or utcnow())
        await session.commit()
    if done:
        log.info("Figures of %d closed campaign(s) sealed", done)
    return done


def maintenance_job_specs(settings: Settings) -> list[JobSpec]:
    """The hourly journal clean-up (every install has a journal) and the figures' seals."""
    trigger = IntervalTrigger(seconds=JOURNAL_PRUNE_EVERY_SECONDS, timezone=settings.tz, start_date=ANCHOR)
    return [
        JobSpec(
            id=JOURNAL_PRUNE_JOB,
            func=journal_prune_job,
            trigger=trigger,
            misfire_grace_time=JOURNAL_PRUNE_EVERY_SECONDS * 2,
            description="Deleting handled updates from the journal",
        ),
        JobSpec(
            id=FIGURES_SEAL_JOB,
            func=figures_seal_job,
            trigger=trigger,
            misfire_grace_time=JOURNAL_PRUNE_EVERY_SECONDS * 2,
            description="Sealing the figures of closed campaigns",
        ),
    ]

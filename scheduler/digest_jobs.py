"""Managers' jobs: the weekly digest and detractor alerts for partners who stopped after the score.

Jobs are module-level coroutines run once per period by scheduler.runner; tests call
them directly with ``now`` to control time. They take the running app's services from
:func:`scheduler.runtime.services`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.digest.alerts import alert_job
from scheduler import runtime
from scheduler.periods import ANCHOR
from scheduler.specs import JobSpec

log = logging.getLogger(__name__)

WEEKLY_DIGEST_JOB = "digest-weekly"
ALERTS_JOB = "digest-detractor-alerts"
ALERTS_EVERY_SECONDS = 60


async def weekly_digest_job(now: datetime | None = None) -> None:
    """Send the weekly digest to the managers' chat (one line when the week brought no answers)."""
    # Imported here: it pulls in matplotlib, which the scheduler need not load at start-up.
    from bot.digest.deliver import push_weekly

    await push_weekly(runtime.services(), now=now)


async def detractor_alerts_job(now: datetime | None = None) -> None:
    """Alert on detractors who stopped after the score long enough ago; re-send unsent alerts."""
    posted = await alert_job(runtime.services(), now=now)
    if posted:
        log.info("Detractor alerts posted: %d", posted)


def digest_job_specs(settings: Settings) -> list[JobSpec]:
    """Weekly digest (unless WEEKLY_DIGEST=false) and the alert sweep, when there is a managers' chat."""
    specs: list[JobSpec] = []
    if settings.manager_chat_id is None:
        return specs
    if settings.weekly_digest:
        specs.append(
            JobSpec(
                id=WEEKLY_DIGEST_JOB,
                func=weekly_digest_job,
                trigger=CronTrigger.from_crontab(settings.digest_cron, timezone=settings.tz),
                # A digest a day late still helps; a week late it would be replaced anyway.
                misfire_grace_time=24 * 3600,
                description="Weekly NPS digest to the managers' chat",
            )
        )
    specs.append(
        JobSpec(
            id=ALERTS_JOB,
            func=detractor_alerts_job,
            trigger=IntervalTrigger(seconds=ALERTS_EVERY_SECONDS, timezone=settings.tz, start_date=ANCHOR),
            misfire_grace_time=ALERTS_EVERY_SECONDS * 5,
            description="Detractor alerts for partners who stopped after the score",
        )
    )
    return specs

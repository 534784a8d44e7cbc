"""Campaign jobs: the one reminder, closing campaigns on time, the quarterly campaign.

Jobs are module-level coroutines without required arguments, run once per period by
scheduler.runner; ``now`` lets tests move time without sleeping. Each is idempotent, so a job that
fires twice (restart, misfire catch-up) does nothing the second time: reminders are unique per
(campaign, partner) in the outbox, closing skips closed campaigns, and the quarterly campaign's
period_key is unique.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import operations
from bot.config import Settings
from scheduler import runtime
from scheduler.periods import ANCHOR
from scheduler.specs import JobSpec
from storage.models import utcnow
from storage.repo import campaigns
from storage.repo.campaigns import CampaignError

log = logging.getLogger(__name__)

CHECK_MINUTES = 5
QUARTERLY_GRACE = 3 * 24 * 3600  # a bot down over the first Tuesday still launches that quarter


async def reminders_job(now: datetime | None = None) -> dict[int, int]:
    """Queue the reminder for running campaigns whose invitations are REMINDER_AFTER_DAYS old.

    Returns {campaign id: reminders queued}.
    """
    done = await operations.remind_due(runtime.services(), now=now or utcnow())
    if done:
        log.info("Reminders queued: %s", done)
    return done


async def auto_close_job(now: datetime | None = None) -> list[int]:
    """Close campaigns whose CAMPAIGN_DAYS are over; returns their ids."""
    closed = await operations.close_due(runtime.services(), now=now or utcnow())
    if closed:
        log.info("Campaigns closed on schedule: %s", closed)
    return closed


async def quarterly_job(now: datetime | None = None) -> int | None:
    """Create and launch this quarter's campaign to all active partners, once per quarter.

    The audience rules of storage.repo.campaigns apply, the fatigue rule included: a partner who
    answered in the last MIN_DAYS_BETWEEN_SURVEYS days is asked next quarter instead.

    Returns the new campaign's id, or None when the quarter has one already (or nobody is
    eligible; the draft then stays for an admin to look at).
    """
    services = runtime.services()
    settings = services.settings
    now = now or utcnow()
    key = campaigns.period_key(now, settings.tz)
    title = services.translator.get(settings.default_locale, "campaign-quarterly-title", period=key)
    async with services.sessionmaker() as session:
        campaign = await campaigns.create_for_period(session, key, title)
        if campaign is None:
            await session.commit()
            log.info("Quarterly campaign for %s exists already", key)
            return None
        await session.commit()
        try:
            audience = await operations.launch(services, session, campaign, now=now)
        except CampaignError as exc:
            log.warning("Quarterly campaign %s (%s) not launched: %s", campaign.id, key, exc.key)
            return None
    log.info("Quarterly campaign %s (%s) launched to %s partners", campaign.id, key, audience)
    return campaign.id


def campaign_job_specs(settings: Settings) -> list[JobSpec]:
    """Reminders and auto-close every few minutes; the quarterly campaign unless turned off."""
    specs = [
        JobSpec(
            id="campaign-reminders",
            func=reminders_job,
            trigger=IntervalTrigger(minutes=CHECK_MINUTES, timezone=settings.tz, start_date=ANCHOR),
            misfire_grace_time=CHECK_MINUTES * 60,
            description="Reminders to non-responders",
        ),
        JobSpec(
            id="campaign-auto-close",
            func=auto_close_job,
            trigger=IntervalTrigger(minutes=CHECK_MINUTES, timezone=settings.tz, start_date=ANCHOR),
            misfire_grace_time=CHECK_MINUTES * 60,
            description="Close campaigns after CAMPAIGN_DAYS",
        ),
    ]
    if settings.quarterly_campaign:
        specs.append(
            JobSpec(
                id="campaign-quarterly",
                func=quarterly_job,
                trigger=CronTrigger.from_crontab(settings.quarterly_cron, timezone=settings.tz),
                misfire_grace_time=QUARTERLY_GRACE,
                description="Quarterly campaign",
            )
        )
    return specs

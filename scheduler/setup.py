"""APScheduler wiring: schedules from code in a memory job store; runs go through JobRunner.

Nothing is stored by APScheduler: a synchronous job store on the bot's database would block the
event loop whenever another process holds its lock. What has run, and the catch-up after
downtime, is ours (scheduler.runner, in the ``job_runs`` table).
"""

from __future__ import annotations

import logging

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from scheduler.campaign_jobs import campaign_job_specs
from scheduler.digest_jobs import digest_job_specs
from scheduler.maintenance_jobs import maintenance_job_specs
from scheduler.runner import JobRunner
from scheduler.specs import JobSpec

log = logging.getLogger(__name__)


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every job the settings ask for."""
    return campaign_job_specs(settings) + digest_job_specs(settings) + maintenance_job_specs(settings)


def create_scheduler(settings: Settings, runner: JobRunner) -> AsyncIOScheduler:
    """A scheduler with every job of ``runner`` registered (not started)."""
    scheduler = AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=settings.tz,
    )
    for spec in runner.specs.values():
        scheduler.add_job(
            runner.run,
            args=[spec.id],
            trigger=spec.trigger,
            id=spec.id,
            name=spec.description or spec.id,
            misfire_grace_time=spec.misfire_grace_time,
            coalesce=True,
        )
    return scheduler

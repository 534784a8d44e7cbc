"""APScheduler wiring: schedules from code in a memory job store; runs go through JobRunner.

Nothing is stored by APScheduler: a synchronous job store on the bot's database would block the
event loop whenever another process holds its lock. What has run, and the catch-up after
downtime, is ours (scheduler.runner, in the ``job_runs`` table).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from scheduler import runtime
from scheduler.runner import JobRunner, cancel
from scheduler.specs import JobSpec
from storage.models import utcnow

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every job the settings ask for."""
    from scheduler.campaign_jobs import campaign_job_specs
    from scheduler.digest_jobs import digest_job_specs

    return campaign_job_specs(settings) + digest_job_specs(settings)


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


async def _catch_up(runner: JobRunner) -> None:
    try:
        ran = await runner.catch_up()
    except Exception:
        log.exception("Catch-up of scheduled jobs failed; they run at their next scheduled time")
        return
    if ran:
        log.info("Caught up on missed scheduled runs: %s", ", ".join(ran))


def install(app: App) -> None:
    """Attach the scheduler to the app's start/stop; the catch-up runs in the background."""
    settings = app.services.settings
    runner = JobRunner(app.services.sessionmaker, job_specs(settings), clock=app.options.get("clock", utcnow))
    scheduler = create_scheduler(settings, runner)
    app.services.extras["scheduler"] = scheduler
    app.services.extras["jobs"] = runner
    catch_up: list[asyncio.Task[object]] = []

    async def start(app: App) -> None:
        runtime.bind(app.services)
        scheduler.start()
        catch_up.append(asyncio.create_task(_catch_up(runner), name="jobs-catch-up"))

    async def stop(app: App) -> None:
        for task in catch_up:
            await cancel(task)
        if scheduler.running:
            scheduler.shutdown(wait=False)
        runtime.bind(None)

    app.starters.append(start)
    app.stoppers.append(stop)

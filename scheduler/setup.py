"""APScheduler wiring: a persistent job store, fixed job ids, coalescing and misfire grace.

After downtime a missed run fires once (coalesce) if it is within its grace time. What the jobs
act on (campaigns, deliveries) lives in our own tables, so losing the job store loses nothing
but the memory of when a job last ran.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url

from bot.config import Settings
from scheduler import runtime
from scheduler.specs import JobSpec

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every job the settings ask for."""
    from scheduler.campaign_jobs import campaign_job_specs
    from scheduler.digest_jobs import digest_job_specs

    return campaign_job_specs(settings) + digest_job_specs(settings)


def _job_store(database_url: str) -> BaseJobStore:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        sync_url = url.set(drivername="sqlite")
        return SQLAlchemyJobStore(
            url=sync_url.render_as_string(hide_password=False),
            engine_options={"connect_args": {"timeout": 30}},
        )
    try:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        sync_url = url.set(drivername=url.get_backend_name())
        return SQLAlchemyJobStore(url=sync_url.render_as_string(hide_password=False))
    except Exception as exc:  # no sync driver for this backend: jobs still run, from memory
        log.warning("Persistent job store unavailable (%s); using memory", exc)
        return MemoryJobStore()


def create_scheduler(settings: Settings, *, persistent: bool = True) -> AsyncIOScheduler:
    """A scheduler with every job registered (not started)."""
    scheduler = AsyncIOScheduler(
        jobstores={"default": _job_store(settings.database_url) if persistent else MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=settings.tz,
    )
    wanted = job_specs(settings)
    for spec in wanted:
        scheduler.add_job(
            spec.func,
            trigger=spec.trigger,
            id=spec.id,
            name=spec.description or spec.id,
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_time,
            coalesce=True,
        )
    return scheduler


def remove_unwanted(scheduler: AsyncIOScheduler, settings: Settings) -> None:
    """Drop stored jobs that the settings no longer ask for (e.g. QUARTERLY_CAMPAIGN=false)."""
    wanted = {spec.id for spec in job_specs(settings)}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()


def install(app: App, **kwargs: Any) -> None:
    """Attach the scheduler to the app's start/stop."""
    settings = app.services.settings
    scheduler = create_scheduler(settings)
    app.services.extras["scheduler"] = scheduler

    async def start(app: App) -> None:
        runtime.bind(app.services)
        scheduler.start()
        remove_unwanted(scheduler, settings)

    async def stop(app: App) -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        runtime.bind(None)

    app.starters.append(start)
    app.stoppers.append(stop)

"""The worker part: the bulk sender and the scheduled jobs, started and stopped together."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.sending.engine import SendingEngine
from bot.services import Services
from scheduler import runtime
from scheduler.runner import Clock, JobRunner, cancel
from scheduler.setup import create_scheduler
from storage.models import utcnow

log = logging.getLogger(__name__)


class Worker:
    """Sender + scheduler of one process; ``services.jobs`` says which jobs."""

    def __init__(self, services: Services, *, clock: Clock = utcnow) -> None:
        self.services = services
        self.sender = SendingEngine(services)
        self.jobs = JobRunner(services.sessionmaker, services.jobs, clock=clock)
        self.scheduler: AsyncIOScheduler = create_scheduler(services.settings, self.jobs)
        self._catch_up: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start sending, the schedule, and the catch-up of missed runs (in the background)."""
        runtime.bind(self.services)
        await self.sender.start()
        self.scheduler.start()
        self._catch_up = asyncio.create_task(self._run_catch_up(), name="jobs-catch-up")

    async def stop(self) -> None:
        """Stop the schedule first (no new work), then the sender (returns unsent rows)."""
        await cancel(self._catch_up)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.sender.stop()
        runtime.bind(None)

    async def _run_catch_up(self) -> None:
        try:
            ran = await self.jobs.catch_up()
        except Exception:
            log.exception("Catch-up of scheduled jobs failed; they run at their next scheduled time")
            return
        if ran:
            log.info("Caught up on missed scheduled runs: %s", ", ".join(ran))

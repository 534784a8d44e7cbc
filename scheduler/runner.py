"""Runs scheduled jobs once per period, whichever process (or restart) gets there first.

APScheduler keeps the schedules in memory (they are code); what has run is ours, in the
``job_runs`` table (storage.repo.job_runs), written through the async session like everything
else, so a database locked by another process holds up a job, never the event loop.

A run belongs to the latest scheduled time of its trigger within its grace (its period).
Before the job starts, the period is claimed with a unique row and committed: a second worker,
a repeated catch-up, or APScheduler firing right after a catch-up finds the claim and skips.
At start-up :meth:`JobRunner.catch_up` runs each job whose last scheduled time passed while
nothing was running (within grace), exactly once. On a database that has never seen a job, the
current period is recorded as seen without running: a first start is not "downtime".

A job that raises gives its claim back, so the next catch-up (or the next worker) tries that
period again; a process killed mid-run keeps its claim (at most once, never twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.periods import last_due, period_key
from scheduler.specs import JobSpec
from storage.models import utcnow
from storage.repo import job_runs

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class JobRunner:
    """Once-per-period execution of :class:`JobSpec` jobs; see module docstring."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        specs: Sequence[JobSpec],
        *,
        clock: Clock = utcnow,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.specs = {spec.id: spec for spec in specs}
        self.clock = clock

    def due_key(self, spec: JobSpec, now: datetime) -> str | None:
        """The period a run at ``now`` belongs to (None: no scheduled time within grace)."""
        due = last_due(spec.trigger, now, timedelta(seconds=spec.misfire_grace_time))
        return period_key(due) if due is not None else None

    async def run(self, job_id: str, now: datetime | None = None) -> bool:
        """Run the job for its current period unless that period ran already; True if it ran."""
        spec = self.specs[job_id]
        now = now or self.clock()
        key = self.due_key(spec, now)
        if key is None:
            return False
        async with self.sessionmaker() as session:
            if not await job_runs.claim(session, spec.id, key, now):
                log.debug("Job %s: period %s done already", spec.id, key)
                return False
        try:
            await spec(now=now)
        except Exception:
            log.exception("Job %s failed (period %s); it will be retried at the next catch-up", spec.id, key)
            async with self.sessionmaker() as session:
                await job_runs.release(session, spec.id, key)
            return False
        async with self.sessionmaker() as session:
            await job_runs.finish(session, spec.id, key, self.clock())
        return True

    async def catch_up(self, now: datetime | None = None) -> list[str]:
        """Run every job whose last scheduled time passed unrun; returns the ids that ran."""
        now = now or self.clock()
        ran: list[str] = []
        for spec in self.specs.values():
            if await self._first_sight(spec, now):
                continue
            if await self.run(spec.id, now):
                ran.append(spec.id)
        return ran

    async def _first_sight(self, spec: JobSpec, now: datetime) -> bool:
        """On a database that never saw ``spec``, mark its current period as seen (not run)."""
        async with self.sessionmaker() as session:
            if await job_runs.last_key(session, spec.id) is not None:
                return False
            key = self.due_key(spec, now) or "0"  # "0" sorts before every time key
            if await job_runs.claim(session, spec.id, key, now):
                await job_runs.finish(session, spec.id, key, now)
        log.info("Job %s: first start on this database, nothing to catch up", spec.id)
        return True


async def cancel(task: asyncio.Task[object] | None) -> None:
    """Cancel a background task and wait for it to end."""
    if task is None or task.done():
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


STOP_GRACE = 5.0  # seconds a background task that writes gets to end by itself at a stop


async def finish(task: asyncio.Task[object] | None, grace: float = STOP_GRACE) -> None:
    """Wait up to ``grace`` for a task already told to stop, then cancel it.

    For tasks that write: a cancel inside a SQLite write could leave the write's lock on a
    connection nobody closes (SQLAlchemy's terminate of the cancelled connection races
    aiosqlite's close()), and the next write waited out the 30 s busy timeout: a 30 s stop in
    about 1 run in 5 of tests/e2e/test_durability.py (docs/internals.md, "Database")."""
    if task is not None and not task.done():
        await asyncio.wait({task}, timeout=grace)
    await cancel(task)

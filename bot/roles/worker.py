"""The ``worker`` role (:func:`build`), and the worker part it shares with ``run``: the bulk
sender and the scheduled jobs, active in one process at a time.

Every worker (and ``nps-bot run``) competes for the ``worker`` lease in the database
(storage.repo.leases). The holder renews it every RENEW_EVERY seconds and runs the sender and
the schedule; the others wait as standbys and try again at the same pace. When the holder dies
its lease runs out after LEASE_TTL seconds and a standby takes over (so within
LEASE_TTL + RENEW_EVERY = 20 s), and the new sender claims the rows the dead one left
``sending`` once their own lease ends (bot.sending.engine), finishing its launches. A holder that
cannot renew (database gone) steps down before its lease could have been taken over. A clean
stop gives the lease up at once. A process restarted after ``kill -9`` on the same host does not
wait for the lease to run out: a holder of this host whose pid no process has any more is dead
(``_dead_here``), so its lease is ended at the first round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import timedelta

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.hooks.sender import HookSender
from bot.roles.shared import App, BuildOptions, Core, create_core
from bot.sending.engine import SendingEngine
from bot.services import Services
from scheduler import runtime
from scheduler.runner import Clock, JobRunner, finish
from scheduler.setup import create_scheduler, job_specs
from storage.models import utcnow
from storage.repo import leases

log = logging.getLogger(__name__)

LEADER = "worker"
LEASE_TTL = 15.0
RENEW_EVERY = 5.0


def _dead_here(holder: str) -> bool:
    """True when ``holder`` (``host:pid:random``) ran on this host in a process that is gone.

    Our own pid is never called dead here: in one process (tests, or pid 1 of a restarted
    container) the name alone cannot tell a live sibling from an earlier incarnation, so that
    lease is waited out as before."""
    host, _, rest = holder.rpartition(":")[0].rpartition(":")
    if host != socket.gethostname() or not rest.isdigit() or int(rest) == os.getpid():
        return False
    try:
        os.kill(int(rest), 0)
    except ProcessLookupError:
        return True
    except OSError:  # someone else's process: alive
        return False
    return False


class Worker:
    """Sender + scheduler of one process, started while it holds the worker lease."""

    def __init__(
        self,
        services: Services,
        bulk_bot: Bot,
        *,
        clock: Clock = utcnow,
        lease_ttl: float = LEASE_TTL,
        renew_every: float = RENEW_EVERY,
    ) -> None:
        self.services = services
        self.bulk_bot = bulk_bot  # closed by the App, with its other Bot
        self.sender = SendingEngine(services, bulk_bot)
        self.holder = self.sender.owner  # one id for the process's lease and outbox claims
        self.hooks = HookSender(services, clock=clock, owner=self.holder)  # webhooks out
        self.jobs = JobRunner(services.sessionmaker, job_specs(services.settings), clock=clock)
        self.scheduler: AsyncIOScheduler = create_scheduler(services.settings, self.jobs)
        self.lease_ttl = timedelta(seconds=lease_ttl)
        self.renew_every = renew_every
        self.active = False
        self.decided = asyncio.Event()  # the first election round is over (tests wait for it)
        self._renewed_at = 0.0  # monotonic time of the last successful renewal
        self._election: asyncio.Task[None] | None = None
        self._leaving = asyncio.Event()  # stop(): the election ends after its current round
        self._catch_up: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Join the election; the parts start when this process wins it."""
        self._leaving.clear()
        self._election = asyncio.create_task(self._elect(), name="worker-election")

    async def stop(self) -> None:
        """Leave the election, stop the parts, and give the lease up for a standby."""
        self._leaving.set()
        await finish(self._election)  # its round's write is not cut in two
        if self.active:
            await self._step_down()
            try:
                async with self.services.sessionmaker() as session:
                    await leases.release(session, LEADER, self.holder)
            except Exception:
                log.exception("Could not release the worker lease; a standby takes over when it expires")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def _end_dead_lease(self) -> None:
        """The first round: a lease held by a dead process of this host is ended at once."""
        async with self.services.sessionmaker() as session:
            holder = await leases.holder_of(session, LEADER, utcnow())
            if holder is not None and holder != self.holder and _dead_here(holder):
                log.warning("The worker lease of %s (a process that is gone) is taken over at once", holder)
                await leases.release(session, LEADER, holder)

    async def _elect(self) -> None:
        try:
            await self._end_dead_lease()
        except Exception:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError() from None  # see below: a cancel must end the loop
            log.exception("Could not check the worker lease's holder; it is taken over when it runs out")
        while True:
            try:
                async with self.services.sessionmaker() as session:
                    held = await leases.acquire(session, LEADER, self.holder, self.lease_ttl, utcnow())
                if held:
                    self._renewed_at = time.monotonic()
            except Exception:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # stop() cancelled us mid-query and closing the session raised instead:
                    # the cancellation must still end the loop, or stop() waits forever.
                    raise asyncio.CancelledError() from None
                log.exception("Worker lease check failed")
                # Unrenewed, the lease may pass to a standby: step down before that can happen.
                unrenewed = time.monotonic() - self._renewed_at
                held = self.active and unrenewed < self.lease_ttl.total_seconds() / 2
            if held and not self.active:
                await self._take_over()
            elif not held and self.active:
                log.warning("Worker lease lost; standing by")
                await self._step_down()
            self.decided.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._leaving.wait(), self.renew_every)
            if self._leaving.is_set():
                return

    async def _take_over(self) -> None:
        log.info("Active worker: %s", self.holder)
        self.active = True
        runtime.bind(self.services)
        await self.sender.start()
        await self.hooks.start()
        if self.scheduler.running:
            self.scheduler.resume()
        else:
            self.scheduler.start()
        self._catch_up = asyncio.create_task(self._run_catch_up(), name="jobs-catch-up")

    async def _step_down(self) -> None:
        self.active = False
        await finish(self._catch_up)
        if self.scheduler.running:
            self.scheduler.pause()
        await self.hooks.stop()
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


def create_worker(core: Core, clock: Clock) -> Worker:
    """The worker part; ``services.sender`` is its sender (operations notify and hold it)."""
    services = core.services
    worker = Worker(services, core.create_bulk_bot(), clock=clock)
    services.sender = worker.sender
    return worker


class Idle:
    """The receiver of a role that receives nothing (``worker``): waits for stop()."""

    def __init__(self) -> None:
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        """Wait until stopped."""
        await self._stopped.wait()

    def stop(self) -> None:
        """Begin a clean shutdown."""
        self._stopped.set()


def build(settings: Settings, options: BuildOptions) -> App:
    """``nps-bot worker``: the worker part alone; no dispatcher, it handles no updates (module
    routers belong to one dispatcher at a time)."""
    core = create_core(settings, options, shared_budget=True)
    return App(
        role="worker",
        services=core.services,
        dispatcher=None,
        engine=core.engine,
        receiver=Idle(),
        worker=create_worker(core, options.clock),
        report_engine=core.report_engine,
    )

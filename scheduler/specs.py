"""Declarative description of one scheduled job."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.triggers.base import BaseTrigger

# A job: an async function taking the time it runs at (tests pass their own; None means now).
JobFunc = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    """Fixed id, function and trigger; see scheduler.runner for the once-per-period policy.

    ``misfire_grace_time``: how late (seconds) a scheduled time may still be run, after downtime
    or a busy loop; older ones are dropped (a newer period replaces them).
    """

    id: str
    func: JobFunc
    trigger: BaseTrigger
    misfire_grace_time: int = 3600
    description: str = ""

    def next_run(self, now: datetime) -> datetime | None:
        """The next scheduled time after ``now`` (None: never again)."""
        return self.trigger.get_next_fire_time(None, now)

    async def __call__(self, now: datetime | None = None) -> Any:
        """Run the job once, now (no period bookkeeping: see JobRunner.run for that)."""
        return await self.func(now=now)

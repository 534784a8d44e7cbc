"""Scheduled times as period keys: which fire time of a trigger a run belongs to.

Only APScheduler's public trigger API (``get_next_fire_time``) is used. Interval triggers are
anchored at a fixed date (:data:`ANCHOR`), so every process computes the same fire times and
therefore the same period keys.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

ANCHOR = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday at midnight: intervals line up with clocks
_STEP = timedelta(seconds=1)  # triggers work in whole seconds


def last_due(trigger: BaseTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The latest fire time of ``trigger`` in ``(now - grace, now]``, or None."""
    last: datetime | None = None
    fire = trigger.get_next_fire_time(None, now - grace + _STEP)
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + _STEP)
    return last


def period_key(fire_time: datetime) -> str:
    """A fire time as a sortable UTC key, e.g. ``2027-04-05T06:00:00Z``."""
    return fire_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

"""Declarative description of one scheduled job."""

from __future__ import annotations

from dataclasses import dataclass

from apscheduler.triggers.base import BaseTrigger


@dataclass(frozen=True)
class JobSpec:
    """Fixed id, function reference and trigger; see scheduler.setup for the shared policy."""

    id: str
    func: str  # "module:function", an async function without arguments
    trigger: BaseTrigger
    misfire_grace_time: int = 3600
    description: str = ""

"""Placeholder: filled in by its owner."""

from __future__ import annotations

from bot.config import Settings
from scheduler.specs import JobSpec


def digest_job_specs(settings: Settings) -> list[JobSpec]:
    """Jobs of this module."""
    return []

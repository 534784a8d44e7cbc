"""The running app's services, for jobs APScheduler calls by reference.

Jobs are stored by textual reference (``module:function``) with no arguments, so the job store
never pickles live objects; the job looks its services up here when it fires.
"""

from __future__ import annotations

from bot.services import Services

_services: Services | None = None


def bind(services: Services | None) -> None:
    """Make ``services`` available to jobs (None unbinds)."""
    global _services
    _services = services


def services() -> Services:
    """Services of the running app."""
    if _services is None:
        raise RuntimeError("scheduler jobs ran before the app bound its services")
    return _services

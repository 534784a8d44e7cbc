"""Per-session work at commit and rollback, without per-session event listeners.

``event.listen`` on a single session builds that session its own event dispatcher, which cost
more than the statements of a typical update. These two listeners are registered once on the
Session class; a session opts in by putting callables in its ``info``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

Hook = Callable[[Session], None]
_BEFORE_COMMIT = "before_commit_hooks"
_AFTER_ROLLBACK = "after_rollback_hooks"


def before_commit(session: AsyncSession, hook: Hook) -> None:
    """Run ``hook(sync_session)`` at the start of every commit of ``session``, in its transaction."""
    session.info.setdefault(_BEFORE_COMMIT, []).append(hook)


def after_rollback(session: AsyncSession, hook: Hook) -> None:
    """Run ``hook(sync_session)`` after every rollback of ``session``."""
    session.info.setdefault(_AFTER_ROLLBACK, []).append(hook)


def has_before_commit(sync_session: Session) -> bool:
    """Whether ``sync_session`` has before-commit hooks."""
    return bool(sync_session.info.get(_BEFORE_COMMIT))


@event.listens_for(Session, "before_commit")
def run_before_commit(sync_session: Session) -> None:
    """Run the before-commit hooks (SQLAlchemy does, and light transactions do)."""
    for hook in sync_session.info.get(_BEFORE_COMMIT, ()):
        hook(sync_session)


@event.listens_for(Session, "after_rollback")
def run_after_rollback(sync_session: Session, *_args: Any) -> None:
    """Run the after-rollback hooks (SQLAlchemy does, and light transactions do)."""
    for hook in sync_session.info.get(_AFTER_ROLLBACK, ()):
        hook(sync_session)

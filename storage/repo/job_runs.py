"""Claims on scheduled runs: one row per (job, period), so a period's run happens once.

The claim is an INSERT that either wins or meets the primary key (another worker, or this one
before a restart, took that period). It runs in its own short transaction, committed before the
job starts, so a second worker sees it at once. Plain INSERT + IntegrityError is the same code on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRun


async def claim(session: AsyncSession, job: str, period_key: str, now: datetime) -> bool:
    """Record that ``job`` runs for ``period_key`` and commit; False when it ran (or runs) already."""
    session.add(JobRun(job=job, period_key=period_key, started_at=now))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def finish(session: AsyncSession, job: str, period_key: str, now: datetime) -> None:
    """Mark the run finished and commit."""
    await session.execute(
        update(JobRun).where(JobRun.job == job, JobRun.period_key == period_key).values(finished_at=now)
    )
    await session.commit()


async def release(session: AsyncSession, job: str, period_key: str) -> None:
    """Forget a claim whose run failed, so the next catch-up tries that period again; commits."""
    await session.execute(delete(JobRun).where(JobRun.job == job, JobRun.period_key == period_key))
    await session.commit()


async def last_key(session: AsyncSession, job: str) -> str | None:
    """The most recent period key claimed for ``job`` (keys are ISO times, so they sort)."""
    return await session.scalar(
        select(JobRun.period_key).where(JobRun.job == job).order_by(JobRun.period_key.desc()).limit(1)
    )

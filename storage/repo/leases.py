"""Named leases in the database: one holder at a time, taken over once the holder stops renewing.

The same statements on SQLite and PostgreSQL: a conditional UPDATE (we hold it, or it ran out)
and, for a name never seen, an INSERT that meets the primary key if another process was
first. Each call is its own short transaction. Times come from the callers' clocks, so clocks of
the machines sharing a database must agree to well within the lease (NTP does).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Lease


async def acquire(session: AsyncSession, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew ``name`` for ``ttl``; True when ``holder`` holds it now. Commits."""
    result = await session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    if int(getattr(result, "rowcount", 0) or 0) == 1:
        await session.commit()
        return True
    exists = await session.scalar(select(Lease.name).where(Lease.name == name))
    if exists is not None:
        await session.rollback()
        return False
    session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
    try:
        await session.commit()
    except IntegrityError:  # another process created it a moment ago
        await session.rollback()
        return False
    return True


async def release(session: AsyncSession, name: str, holder: str) -> None:
    """Give ``name`` up at once (a clean stop), so a standby need not wait for it to expire."""
    await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
    await session.commit()


async def holder_of(session: AsyncSession, name: str, now: datetime) -> str | None:
    """Who holds ``name`` now (None: nobody, or the lease ran out)."""
    row = await session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name))
    found = row.first()
    if found is None or found[1] < now:
        return None
    return str(found[0])

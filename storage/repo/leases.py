"""Named leases in the database: one holder at a time, taken over once the holder stops renewing.

One statement on SQLite and PostgreSQL: an INSERT whose conflict on the name updates the
row only where we hold it or it ran out, returning the name when we hold it now (two processes
racing for a new name meet the primary key: one inserts, the other's condition is false).
Times come from the callers' clocks, so clocks of the machines sharing a database must agree to
well within the lease (NTP does).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.models import Lease
from storage.tables import table_of

_TABLE = table_of(Lease)
_TAKE = upsert.per_dialect(
    lambda make: (
        lambda insert: insert.on_conflict_do_update(
            index_elements=[_TABLE.c.name],
            set_={"holder": insert.excluded.holder, "expires_at": insert.excluded.expires_at},
            where=or_(
                _TABLE.c.holder == insert.excluded.holder,
                _TABLE.c.expires_at < bindparam("now", type_=_TABLE.c.expires_at.type),
            ),
        ).returning(_TABLE.c.name)
    )(make(_TABLE))
)


async def take(session: AsyncSession, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew ``name`` for ``ttl`` in the session's transaction (the caller commits, or
    rolls back to leave the lease as it was); True when ``holder`` holds it then."""
    result = await session.execute(
        upsert.pick(session, _TAKE),
        {"name": name, "holder": holder, "expires_at": now + ttl, "now": now},
    )
    return result.first() is not None


async def acquire(session: AsyncSession, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew ``name`` for ``ttl``; True when ``holder`` holds it now. Commits."""
    held = await take(session, name, holder, ttl, now)
    await session.commit()
    return held


async def release(session: AsyncSession, name: str, holder: str) -> None:
    """Give ``name`` up at once (a clean stop), so a standby need not wait for it to expire."""
    await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
    await session.commit()


async def holders_with_prefix(session: AsyncSession, prefix: str) -> list[str]:
    """Holders named ``prefix…`` of any lease, run out or not."""
    rows = await session.scalars(
        select(Lease.holder).where(Lease.holder.startswith(prefix, autoescape=True)).distinct()
    )
    return [str(holder) for holder in rows]


async def release_all(session: AsyncSession, holders: list[str]) -> int:
    """Give up every lease of ``holders`` (processes known to be dead); returns how many. Commits."""
    if not holders:
        return 0
    result = await session.execute(delete(Lease).where(Lease.holder.in_(holders)))
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def holder_of(session: AsyncSession, name: str, now: datetime) -> str | None:
    """Who holds ``name`` now (None: nobody, or the lease ran out)."""
    row = await session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name))
    found = row.first()
    if found is None or found[1] < now:
        return None
    return str(found[0])

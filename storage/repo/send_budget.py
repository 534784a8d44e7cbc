"""The bot's send budget in the database: message slots handed out across processes.

A slot is taken with one conditional ``UPDATE … RETURNING`` (the same statement on SQLite and
PostgreSQL), so two processes never get the same slot: the row lock (PostgreSQL) or the write
lock (SQLite) orders them. Times are wall-clock seconds from the callers, so the clocks of the
machines sharing a database must agree to well within a slot (NTP keeps them to milliseconds).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import autocommit
from storage.models import SendBudgetRow
from storage.upsert import insert


def _greatest(*values: Any) -> Any:
    """max() of SQL expressions, spelled portably (GREATEST is PostgreSQL's, max() SQLite's)."""
    result = values[0]
    for value in values[1:]:
        result = case((result >= value, result), else_=value)
    return result


async def ensure(session: AsyncSession, name: str) -> None:
    """Create the budget's row if no process did yet. Commits."""
    stmt = insert(session, SendBudgetRow).values(name=name, next_at=0.0, paused_until=0.0)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
    await session.commit()


async def reserve(
    session: AsyncSession, name: str, *, floor: float, interval: float, horizon: float | None
) -> float | None:
    """Take the next slot; returns when it starts, or None. Commits.

    The slot starts at the line's end, or ``floor`` if the line ended before it (unused slots
    older than ``floor`` are gone), and not before a 429 pause ends. With ``horizon`` (bulk
    sending) a slot is taken only when the line ends by then and nothing is paused: bulk never
    queues behind or ahead of replies waiting for their turn."""
    await autocommit(session)  # every process takes its slots from this one row
    row = SendBudgetRow
    start = _greatest(row.next_at, literal(floor), row.paused_until)
    stmt = update(row).where(row.name == name)
    if horizon is not None:
        stmt = stmt.where(row.next_at <= horizon, row.paused_until <= floor + interval)
    result = await session.execute(stmt.values(next_at=start + interval).returning(row.next_at))
    end = result.scalar_one_or_none()
    await session.commit()
    return None if end is None else float(end) - interval


async def busy_until(session: AsyncSession, name: str) -> float:
    """When the line (or a 429 pause) ends; 0 when there is no row yet."""
    row = (
        await session.execute(
            select(SendBudgetRow.next_at, SendBudgetRow.paused_until).where(SendBudgetRow.name == name)
        )
    ).first()
    await session.commit()
    return 0.0 if row is None else max(float(row[0]), float(row[1]))


async def pause_until(session: AsyncSession, name: str, until: float) -> None:
    """Hold every slot until ``until`` (a 429's retry_after). Commits."""
    await autocommit(session)
    row = SendBudgetRow
    await session.execute(
        update(row).where(row.name == name).values(paused_until=_greatest(row.paused_until, literal(until)))
    )
    await session.commit()

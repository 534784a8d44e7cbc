"""Driver areas: how often each was chosen and the NPS of the partners who chose it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.nps import NpsResult, category_sums, nps_from_counts
from storage.models import Response, ResponseDriver


@dataclass(frozen=True, slots=True)
class DriverStat:
    """One area: answers naming it, their share of all answers, and their NPS."""

    area: str
    count: int
    share: float
    nps: NpsResult


async def driver_stats(session: AsyncSession, campaign_id: int, answers: int) -> list[DriverStat]:
    """Areas of one campaign, most chosen first; ``answers`` (the campaign's n) is the share base."""
    # Both sides filtered by campaign: SQLite walks ix_response_drivers_campaign in area order
    # (grouping as rows come, no sort) probing each answer's score; PostgreSQL reads only this
    # campaign's areas instead of hashing every campaign's.
    area = ResponseDriver.area
    stmt = (
        select(area, *category_sums())
        .select_from(Response)
        .join(ResponseDriver, ResponseDriver.response_id == Response.id)
        .where(Response.campaign_id == campaign_id, ResponseDriver.campaign_id == campaign_id)
        .group_by(area)
    )
    stats = []
    for key, p, s, d in (await session.execute(stmt)).all():
        nps = nps_from_counts(int(p or 0), int(s or 0), int(d or 0))
        stats.append(DriverStat(str(key), nps.n, nps.n / answers if answers else 0.0, nps))
    return sorted(stats, key=lambda st: (-st.count, st.area))

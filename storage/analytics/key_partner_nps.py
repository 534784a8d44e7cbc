"""The key partners' own NPS in one campaign (storage/analytics/key_partners.py says who they are)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.nps import NpsResult, category_sums, nps_from_counts
from storage.models import Response

CHUNK = 5000  # ids per IN list: well under SQLite's and asyncpg's parameter limits


async def nps_of_partners(session: AsyncSession, campaign_id: int, partner_ids: Collection[int]) -> NpsResult:
    """NPS of the answers these partners gave in the campaign."""
    ids = sorted(partner_ids)
    p = s = d = 0
    for i in range(0, len(ids), CHUNK):
        row = (
            await session.execute(
                select(*category_sums()).where(
                    Response.campaign_id == campaign_id, Response.partner_id.in_(ids[i : i + CHUNK])
                )
            )
        ).one()
        p, s, d = p + int(row[0] or 0), s + int(row[1] or 0), d + int(row[2] or 0)
    return nps_from_counts(p, s, d)

"""Sealed figures: a closed campaign's counts are stored once, and the digest's trend stays true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.analytics.report import campaign_report
from storage.analytics.sealed import SEAL_AFTER, nps_of_campaigns, seal_closed
from storage.models import Campaign, CampaignFigures, Partner, Response
from storage.models import campaign as c
from storage.repo import partners
from tests.helpers import add_campaign, add_partner, add_response

MSK = ZoneInfo("Europe/Moscow")
Q2 = datetime(2026, 5, 10, 12, tzinfo=UTC)
Q3 = datetime(2026, 8, 10, 12, tzinfo=UTC)
NOW = datetime(2026, 8, 20, 12, tzinfo=UTC)


async def _two_rounds(db: async_sessionmaker[AsyncSession], closed_at: datetime) -> tuple[int, int]:
    """A closed round (scores 10, 9, 8, 3) and the running one after it (10, 0)."""
    async with db() as session:
        prev = await add_campaign(
            session, "Весна", kind=c.QUARTERLY, status=c.CLOSED, launched_at=Q2, closed_at=closed_at
        )
        cur = await add_campaign(session, "Лето", kind=c.QUARTERLY, launched_at=Q3)
        for i, score in enumerate([10, 9, 8, 3]):
            partner = await add_partner(session, name=f"P{i}", telegram_id=1000 + i)
            await add_response(session, prev, partner, score, answered_at=Q2)
            if i < 2:
                await add_response(session, cur, partner, [10, 0][i], answered_at=Q3)
        await session.commit()
        return prev.id, cur.id


async def _sealed(db: async_sessionmaker[AsyncSession]) -> dict[int, tuple[int, int, int]]:
    async with db() as session:
        rows = await session.execute(
            select(
                CampaignFigures.campaign_id,
                CampaignFigures.promoters,
                CampaignFigures.passives,
                CampaignFigures.detractors,
            )
        )
        return {cid: (p, s, d) for cid, p, s, d in rows.all()}


async def _trend(
    db: async_sessionmaker[AsyncSession], cur: int, now: datetime
) -> list[tuple[int, float | None]]:
    report = await campaign_report(db, cur, tz=MSK, min_group_size=1, now=now)
    assert report is not None
    return [(p.nps.n, p.nps.nps) for p in report.trend]


async def test_digest_seals_a_closed_round_and_reads_it_back(db: async_sessionmaker[AsyncSession]) -> None:
    prev, cur = await _two_rounds(db, closed_at=NOW - SEAL_AFTER - timedelta(seconds=1))
    counted = await _trend(db, cur, NOW)
    assert counted == [(4, 25.0), (2, 0.0)]  # (2 - 1) / 4 promoters over detractors; 1 - 1 of 2
    assert await _sealed(db) == {prev: (2, 1, 1)}  # the running round is never sealed
    assert await _trend(db, cur, NOW) == counted  # read back: the same trend
    async with db() as session:  # the trend reads the seal, not the 125,000 answers behind it
        await session.execute(update(CampaignFigures).values(promoters=4))
        await session.commit()
    assert (await _trend(db, cur, NOW))[0] == (6, 50.0)
    async with db() as session:
        await session.execute(update(CampaignFigures).values(promoters=2))
        await session.commit()
    async with db() as session:
        late = await add_partner(session, name="Late", telegram_id=2000)
        await add_response(session, await session.get_one(Campaign, cur), late, 9, answered_at=NOW)
        await session.commit()
    assert await _trend(db, cur, NOW) == [
        (4, 25.0),
        (3, pytest.approx(100 / 3)),
    ]  # the running round still counts


async def test_a_round_closed_moments_ago_is_not_sealed(db: async_sessionmaker[AsyncSession]) -> None:
    """A score that passed the status check just before the close may still be on its way."""
    prev, cur = await _two_rounds(db, closed_at=NOW - timedelta(minutes=1))
    await _trend(db, cur, NOW)
    assert await _sealed(db) == {}
    async with db() as session:
        assert await seal_closed(session, NOW) == 0
        figures = await nps_of_campaigns(session, [prev, cur, 999])
    assert (figures[prev].n, figures[cur].n, figures[999].n) == (4, 2, 0)


async def test_the_hourly_job_seals_and_seals_once(db: async_sessionmaker[AsyncSession]) -> None:
    prev, _cur = await _two_rounds(db, closed_at=NOW - timedelta(hours=2))
    async with db() as session:
        assert await seal_closed(session, NOW) == 1
        await session.commit()
    async with db() as session:
        assert await seal_closed(session, NOW) == 0  # nothing left to seal
        figures = await nps_of_campaigns(session, [prev])  # without now: read only
    assert await _sealed(db) == {prev: (2, 1, 1)}
    assert (figures[prev].promoters, figures[prev].passives, figures[prev].detractors) == (2, 1, 1)


async def test_merging_a_twin_unseals_the_rounds_that_lose_its_answers(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """A self-registered twin answered a round the admin's record also answered: the twin's
    answer goes with it, and the round's figure must drop it too."""
    prev, cur = await _two_rounds(db, closed_at=NOW - timedelta(hours=2))
    async with db() as session:
        record = await add_partner(session, name="Record", invite_code="INV-1")
        twin = await add_partner(session, name="Twin", telegram_id=3000)
        campaign = await session.get_one(Campaign, prev)
        await add_response(session, campaign, record, 10, answered_at=Q2)
        await add_response(session, campaign, twin, 0, answered_at=Q2)
        await session.commit()
    assert (await _trend(db, cur, NOW))[0][0] == 6
    assert await _sealed(db) == {prev: (3, 1, 2)}
    async with db() as session:
        record = await session.get_one(Partner, record.id)
        await partners.link_invite(session, record, 3000, name="Twin", username=None, language="ru")
        await session.commit()
        left = await session.scalar(
            select(func.count()).select_from(Response).where(Response.campaign_id == prev)
        )
    assert left == 5
    assert prev not in await _sealed(db)
    trend = await _trend(db, cur, NOW)
    assert trend[0][0] == 5  # counted again without the twin's answer, and sealed again
    assert await _sealed(db) == {prev: (3, 1, 1)}

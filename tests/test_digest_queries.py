"""The digest's aggregates as rewritten for speed: the same figures, counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.analytics.breakdown import UNSET, group_counts
from storage.analytics.movement import movement
from storage.analytics.nps import nps_by_campaign
from storage.analytics.report import TrendFigures, campaign_report
from storage.models import campaign as c
from storage.models.response import DETRACTOR, PASSIVE, PROMOTER
from tests.helpers import add_campaign, add_partner, add_response

Q2 = datetime(2026, 5, 10, 12, tzinfo=UTC)
Q3 = datetime(2026, 8, 10, 12, tzinfo=UTC)
MSK = ZoneInfo("Europe/Moscow")
# (previous score, current score) of each partner: every one of the nine category pairs, some twice.
PAIRS = [(10, 10), (9, 8), (10, 0), (7, 9), (8, 7), (7, 6), (2, 10), (6, 7), (0, 5), (9, 9), (3, 10)]


async def _rounds(db: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    """Two rounds answered by the partners of PAIRS, plus one who answered the current round only."""
    async with db() as session:
        prev = await add_campaign(session, "Весна", kind=c.QUARTERLY, status=c.CLOSED, launched_at=Q2)
        cur = await add_campaign(session, "Лето", kind=c.QUARTERLY, launched_at=Q3)
        empty = await add_campaign(session, "Осень", kind=c.QUARTERLY, launched_at=Q3)
        for i, (before, now) in enumerate(PAIRS):
            partner = await add_partner(session, name=f"P{i}", segment=["a", "", None][i % 3])
            await add_response(session, prev, partner, before, answered_at=Q2)
            await add_response(session, cur, partner, now, answered_at=Q3)
        newcomer = await add_partner(session, name="New", segment="a")
        await add_response(session, cur, newcomer, 9, answered_at=Q3)
        await session.commit()
        return prev.id, cur.id, empty.id


def _category(score: int) -> str:
    return PROMOTER if score >= 9 else PASSIVE if score >= 7 else DETRACTOR


async def test_movement_matrix_counts_every_pair(db: async_sessionmaker[AsyncSession]) -> None:
    prev, cur, _ = await _rounds(db)
    expected: dict[tuple[str, str], int] = {}
    for before, now in PAIRS:
        key = (_category(before), _category(now))
        expected[key] = expected.get(key, 0) + 1
    async with db() as session:
        moved = await movement(session, cur, prev)
    assert moved.matrix == expected  # pairs nobody made are absent, not zero
    assert moved.both == len(PAIRS)  # the newcomer answered once: no movement
    assert sorted(r.name or "" for r in moved.to_detractor) == ["P2"]
    assert sorted(r.name or "" for r in moved.to_promoter) == ["P10", "P6"]


async def test_nps_by_campaign_counts_each_category(db: async_sessionmaker[AsyncSession]) -> None:
    prev, cur, empty = await _rounds(db)
    async with db() as session:
        every = await nps_by_campaign(session)
        some = await nps_by_campaign(session, [cur, empty, 999])
    now = [s for _, s in PAIRS] + [9]
    assert (every[cur].promoters, every[cur].passives, every[cur].detractors) == (
        sum(s >= 9 for s in now),
        sum(7 <= s <= 8 for s in now),
        sum(s <= 6 for s in now),
    )
    assert every[prev].n == len(PAIRS)
    assert empty not in every  # without answers: left out unless asked for
    assert some[empty].n == 0 and some[999].n == 0 and some[cur] == every[cur]
    assert prev not in some


async def test_no_segment_and_empty_segment_are_one_group(db: async_sessionmaker[AsyncSession]) -> None:
    _, cur, _ = await _rounds(db)
    async with db() as session:
        groups, _revenue = await group_counts(session, cur, "segment")
    # P0, P3, P6, P9 and the newcomer are "a"; the other seven have "" or no segment at all.
    assert {k: v.n for k, v in groups.items()} == {"a": 5, UNSET: 7}


async def test_figures_hook_sees_the_trend_and_its_error_is_the_reports(
    db: async_sessionmaker[AsyncSession],
) -> None:
    prev, cur, _ = await _rounds(db)
    seen: list[TrendFigures] = []

    async def record(first: TrendFigures) -> None:
        seen.append(first)

    report = await campaign_report(db, cur, tz=MSK, min_group_size=1, on_figures=record)
    assert report is not None
    assert [(f.campaign.id, f.nps.n, f.trend) for f in seen] == [(cur, report.nps.n, report.trend)]
    assert [p.campaign.id for p in report.trend] == [prev, cur]

    async def broken(_: TrendFigures) -> None:
        raise RuntimeError("chart failed")

    with pytest.raises(RuntimeError, match="chart failed"):
        await campaign_report(db, cur, tz=MSK, min_group_size=1, on_figures=broken)

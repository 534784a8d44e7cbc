"""Campaign report figures against a small database whose answers are counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.analytics.breakdown import FOLDED, UNSET, fold_small
from storage.analytics.nps import nps_from_counts
from storage.analytics.report import campaign_report, current_campaign, current_nps
from storage.models import campaign as c
from storage.models import delivery as d
from tests.helpers import add_campaign, add_partner, add_response, invite

Q2 = datetime(2026, 5, 10, 12, tzinfo=UTC)
Q3 = datetime(2026, 8, 10, 12, tzinfo=UTC)
MSK = ZoneInfo("Europe/Moscow")


def test_small_groups_fold_into_other_until_it_is_big_enough() -> None:
    counts = {
        "blog": nps_from_counts(10, 0, 0),
        "shop": nps_from_counts(3, 3, 0),  # 6: big
        "app": nps_from_counts(0, 0, 2),  # small
        "cpa": nps_from_counts(1, 0, 0),  # small
    }
    result = fold_small("segment", counts, 5)
    # app + cpa = 3 < 5, so the smallest big group (shop) joins them: other = 9.
    assert [(g.key, g.nps.n, g.folded) for g in result.groups] == [("blog", 10, 0), (FOLDED, 9, 3)]
    assert result.groups[1].nps.promoters == 4 and result.groups[1].nps.detractors == 2


def test_other_stays_when_it_reaches_the_minimum_alone() -> None:
    counts = {"a": nps_from_counts(5, 0, 0), "b": nps_from_counts(2, 0, 0), "c": nps_from_counts(0, 3, 0)}
    result = fold_small("tier", counts, 5)
    assert [(g.key, g.nps.n) for g in result.groups] == [("a", 5), (FOLDED, 5)]


def test_everything_too_small_hides_the_breakdown() -> None:
    counts = {"a": nps_from_counts(2, 0, 0), "b": nps_from_counts(0, 1, 1)}
    result = fold_small("geo", counts, 5)
    assert result.hidden and result.groups == ()


def test_no_small_groups_no_other() -> None:
    counts = {"a": nps_from_counts(5, 0, 0), "b": nps_from_counts(0, 5, 1)}
    assert [g.key for g in fold_small("segment", counts, 5).groups] == ["b", "a"]  # biggest first


async def _two_rounds(session: AsyncSession) -> dict[str, int]:
    """Q2 round (4 answers) and Q3 round (8 answers) plus ongoing feedback; returns ids."""
    prev = await add_campaign(
        session, "Весна", kind=c.QUARTERLY, status=c.CLOSED, launched_at=Q2, closed_at=Q2
    )
    cur = await add_campaign(session, "Лето", kind=c.QUARTERLY, launched_at=Q3)
    ongoing = await add_campaign(session, "Ongoing", kind=c.ONGOING, launched_at=None)
    people = []
    for i in range(9):
        segment = "blog" if i < 6 else ("shop" if i < 8 else None)
        revenue = [1000, 2000, 3000, 500, 700, None, 100, 100, 50][i]
        people.append(
            await add_partner(
                session,
                name=f"P{i}",
                username=f"u{i}",
                telegram_id=5000 + i,
                external_id=f"E{i}",
                segment=segment,
                tier="gold" if i % 2 else "silver",
                monthly_revenue=revenue,
            )
        )
    # Previous round: P0 promoter, P1 detractor, P2 promoter, P3 passive.
    for p, score in zip(people[:4], [10, 2, 9, 8], strict=True):
        await add_response(session, prev, p, score, answered_at=Q2)
    # Current round: 8 answers — P0 went promoter → detractor, P1 detractor → promoter.
    current_scores = [3, 10, 9, 7, 10, 0, 9, 6]
    comments = [
        "Выплаты задерживают уже второй месяц",
        None,
        "Отличная поддержка, спасибо",
        None,
        "Great support team",
        '=HYPERLINK("x") payouts are late',
        None,
        "Комиссия низкая",
    ]
    drivers = [
        ["payouts"],
        ["support"],
        ["support"],
        [],
        ["support"],
        ["payouts", "commission"],
        [],
        ["commission"],
    ]
    for i, p in enumerate(people[:8]):
        await invite(session, cur, p)
        await add_response(
            session, cur, p, current_scores[i], comment=comments[i], drivers=drivers[i], answered_at=Q3
        )
    await invite(session, cur, people[8])  # delivered, no answer
    blocked = await add_partner(session, name="Blocked", telegram_id=6000)
    await invite(session, cur, blocked, status=d.BLOCKED)  # not delivered: not in the rate
    await add_response(session, ongoing, people[8], 0, comment="всё плохо", answered_at=Q3)
    return {"prev": prev.id, "cur": cur.id, "ongoing": ongoing.id}


@pytest.fixture
async def ids(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with db() as session:
        found = await _two_rounds(session)
        await session.commit()
    return found


async def test_report_figures(db: async_sessionmaker[AsyncSession], ids: dict[str, int]) -> None:
    report = await campaign_report(db, ids["cur"], tz=MSK, min_group_size=5)
    assert report is not None
    # 10, 9, 10, 9 promoters; 7 passive; 3, 0, 6 detractors → (4 − 3) / 8 = +12.5
    assert (report.nps.promoters, report.nps.passives, report.nps.detractors) == (4, 1, 3)
    assert report.nps.nps == pytest.approx(12.5)
    # Previous round: 2 promoters, 1 passive, 1 detractor → +25; change −12.5, noise at n=4/8.
    assert report.vs_previous is not None and report.vs_previous.label == "Весна"
    assert report.vs_previous.change.delta == pytest.approx(-12.5)
    assert not report.vs_previous.change.significant
    assert report.quarter == "2026Q3" and report.vs_quarter is not None
    assert report.vs_quarter.label == "2026Q2"
    # 9 delivered invitations (the blocked one excluded), 8 answers, 5 with a comment.
    assert (report.rates.delivered, report.rates.responded, report.rates.commented) == (9, 8, 5)
    assert report.rates.response_rate == pytest.approx(8 / 9)
    # Ongoing feedback stays out of the round's trend.
    assert [p.campaign.id for p in report.trend] == [ids["prev"], ids["cur"]]


async def test_report_breakdown_drivers_movement_revenue(
    db: async_sessionmaker[AsyncSession], ids: dict[str, int]
) -> None:
    report = await campaign_report(db, ids["cur"], tz=MSK, min_group_size=5)
    assert report is not None
    seg = report.breakdowns["segment"]
    # blog has 6 answers, shop 2: "other" = shop alone would expose two partners (and blog's
    # figure would give it away by subtraction), so blog is folded too — nothing named is left.
    assert seg.hidden and seg.groups == ()
    # gold 4 and silver 4: both below 5.
    assert report.breakdowns["tier"].hidden
    drivers = {s.area: s for s in report.drivers}
    assert drivers["support"].count == 3 and drivers["support"].nps.nps == pytest.approx(100)
    assert drivers["payouts"].count == 2 and drivers["payouts"].nps.nps == pytest.approx(-100)
    assert drivers["commission"].share == pytest.approx(2 / 8)
    moved = report.movement
    assert moved is not None and moved.both == 4
    assert [r.name for r in moved.to_detractor] == ["P0"]
    assert [r.name for r in moved.to_promoter] == ["P1"]
    assert moved.count("promoter", "promoter") == 1  # P2: 9 → 9
    # Revenue: promoters P1 2000 + P2 3000 + P4 700 + P6 100; detractors P0 1000 + P5 (none) + P7 100.
    assert report.revenue.total[0] == Decimal("5800.00")
    assert report.revenue.at_risk == Decimal("1100.00")
    assert report.revenue.partners == (4, 1, 2)


async def test_themes_come_from_the_comment_classifier(
    db: async_sessionmaker[AsyncSession], ids: dict[str, int]
) -> None:
    report = await campaign_report(db, ids["cur"], tz=MSK, min_group_size=5)
    assert report is not None
    themes = {t.area: t.count for t in report.comments.themes}
    assert report.comments.sampled == 5
    assert themes.get("payouts") == 2  # "Выплаты задерживают…", "payouts are late"
    assert themes.get("support") == 2  # "Отличная поддержка", "Great support team"
    assert themes.get("commission") == 1
    assert [q.score for q in report.detractor_quotes] == [0, 3]  # worst first
    assert all(q.score >= 9 for q in report.promoter_quotes)


async def test_current_campaign_prefers_rounds_over_ongoing(
    db: async_sessionmaker[AsyncSession], ids: dict[str, int]
) -> None:
    async with db() as session:
        current = await current_campaign(session)
        assert current is not None and current.id == ids["cur"]
        figure = await current_nps(session, segment="blog")
        assert figure is not None and figure.nps.n == 6
        assert figure.vs_previous is not None and figure.vs_previous.previous.n == 4


async def test_unset_segment_has_its_own_group(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        camp = await add_campaign(session, "R", kind=c.MANUAL, launched_at=Q3)
        for i in range(10):
            p = await add_partner(session, name=f"N{i}", segment="blog" if i < 5 else None)
            await add_response(session, camp, p, 9, answered_at=Q3)
        await session.commit()
    report = await campaign_report(db, camp.id, tz=MSK, min_group_size=5)
    assert report is not None
    assert sorted((g.key or "", g.nps.n) for g in report.breakdowns["segment"].groups) == [
        (UNSET, 5),
        ("blog", 5),
    ]

"""NPS and its margin of error against hand-computed cases, from counts and from the database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.analytics.nps import compare, nps_by_campaign, nps_for, nps_from_counts
from storage.models import Campaign, Partner, Response


def test_no_answers_has_no_nps() -> None:
    r = nps_from_counts(0, 0, 0)
    assert (r.n, r.nps, r.margin) == (0, None, None)


def test_under_ten_answers_no_margin_and_no_verdict() -> None:
    # One promoter: NPS 100, but one answer is no certainty: no margin at all (issue 26).
    assert nps_from_counts(1, 0, 0).nps == 100
    assert nps_from_counts(1, 0, 0).margin is None
    assert nps_from_counts(0, 1, 0).nps == 0
    assert nps_from_counts(5, 2, 2).margin is None  # 9 answers
    assert nps_from_counts(5, 3, 2).margin is not None  # 10
    # A 1-answer pilot against a full wave: a delta, never "a real change".
    change = compare(nps_from_counts(10, 20, 70), nps_from_counts(1, 0, 0))
    assert change.delta == pytest.approx(-160)
    assert change.too_few and not change.significant and change.threshold is None


def test_all_in_one_category_never_claims_certainty() -> None:
    # Sample variance 0 would print "± 0.0"; one more answer per category (n + 3) instead.
    assert nps_from_counts(40, 0, 0).nps == 100
    assert nps_from_counts(0, 0, 25).nps == -100
    for counts in ((40, 0, 0), (0, 0, 25), (0, 12, 0), (10_000, 0, 0)):
        r = nps_from_counts(*counts)
        p, s, d = (c + 1 for c in counts)
        m = p + s + d
        by_hand = 1.96 * math.sqrt(((p + d) / m - ((p - d) / m) ** 2) / r.n) * 100
        assert r.margin == pytest.approx(by_hand) and r.margin > 0


def test_change_significance() -> None:
    # 30 → 60 with 10 answers each: threshold = 1.96·sqrt(.061 + var2)·100, far above 30 → noise.
    small = compare(nps_from_counts(7, 2, 1), nps_from_counts(5, 3, 2))
    assert small.delta == pytest.approx(30)
    assert not small.significant
    # Same shares with 1000 answers each: threshold shrinks ~10× and the change is real.
    big = compare(nps_from_counts(700, 200, 100), nps_from_counts(500, 300, 200))
    assert big.delta == pytest.approx(30)
    assert big.significant
    # var(700/200/100) = (.8 − .36)/1000 = .00044, var(500/300/200) = .00061 → threshold by hand.
    assert big.threshold == pytest.approx(1.96 * math.sqrt(0.00044 + 0.00061) * 100)
    assert compare(nps_from_counts(1, 0, 0), nps_from_counts(0, 0, 0)).delta is None


async def test_sql_aggregates_match_hand_counts(db: async_sessionmaker[AsyncSession]) -> None:
    t0 = datetime(2026, 1, 10, tzinfo=UTC)
    async with db() as session:
        c1, c2, c3 = Campaign(title="a"), Campaign(title="b"), Campaign(title="empty")
        partners = [Partner(name=f"p{i}", segment="blog" if i % 2 else "shop") for i in range(10)]
        session.add_all([c1, c2, c3, *partners])
        await session.flush()
        # c1: scores 10,9,9,9,10 (P) 7,8,8 (S) 0,6 (D) → 5/3/2
        for p, score in zip(partners, [10, 9, 9, 9, 10, 7, 8, 8, 0, 6], strict=True):
            session.add(
                Response(campaign_id=c1.id, partner_id=p.id, score=score, answered_at=t0, segment=p.segment)
            )
        # c2: three answers, a day later: 6, 6, 9
        for p, score in zip(partners[:3], [6, 6, 9], strict=True):
            session.add(
                Response(
                    campaign_id=c2.id,
                    partner_id=p.id,
                    score=score,
                    answered_at=t0 + timedelta(1),
                    segment=p.segment,
                )
            )
        await session.commit()

        by = await nps_by_campaign(session)
        assert set(by) == {c1.id, c2.id}
        assert (by[c1.id].promoters, by[c1.id].passives, by[c1.id].detractors) == (5, 3, 2)
        assert by[c1.id].nps == pytest.approx(30)
        assert by[c2.id].nps == pytest.approx((1 - 2) / 3 * 100)

        only = await nps_by_campaign(session, [c2.id, c3.id])
        assert set(only) == {c2.id, c3.id}
        assert only[c3.id].n == 0 and only[c3.id].nps is None

        whole = await nps_for(session)
        assert (whole.promoters, whole.passives, whole.detractors) == (6, 3, 4)
        # Odd partners are "blog": c1 scores 9,9,7,8,6 → 2/2/1; c2 partner 1 scored 6 → 2/2/2.
        blog = await nps_for(session, segment="blog")
        assert (blog.promoters, blog.passives, blog.detractors) == (2, 2, 2)
        day1 = await nps_for(session, since=t0, until=t0 + timedelta(hours=1))
        assert day1.n == 10
        assert (await nps_for(session, campaign_id=c2.id, since=t0 + timedelta(days=2))).n == 0

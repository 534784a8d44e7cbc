"""Net Promoter Score from counts, its 95% margin of error, and SQL aggregates that feed it.

NPS = (promoters − detractors) / n · 100, in points from −100 to 100. Treating each answer as
+1 (promoter), 0 (passive) or −1 (detractor), NPS/100 is the mean of that variable, so the
variance of the estimate is ``(p_P + p_D − (p_P − p_D)²) / n`` and the 95% margin of error is
``1.96 · sqrt(variance) · 100`` points. With no answers NPS and its margin are ``None``.

Small numbers are not dressed up as precise: below :data:`MIN_ANSWERS` answers there is no
margin (``None``) and no verdict on a change (``NpsChange.too_few``); the reports say "too few
answers" in words. When every answer falls in one category the sample variance is 0, which would
claim certainty (± 0.0); the margin then uses the variance of the answers with one more answer in
each category (n + 3), the usual small correction, so it never collapses to zero for n > 0.

Every answer with a score counts, whether or not the partner went on to the comment and the
drivers: the score is the answer to the NPS question; the rest is optional context.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, Response

Z95 = 1.96
MIN_ANSWERS = 10  # below this: no margin of error, no significance verdict


@dataclass(frozen=True, slots=True)
class NpsResult:
    """Counts behind an NPS figure, the figure itself (points) and its 95% margin (points)."""

    promoters: int
    passives: int
    detractors: int
    n: int
    nps: float | None
    margin: float | None

    @property
    def variance(self) -> float | None:
        """Variance of the NPS estimate in proportion terms (NPS/100), ``None`` when n is 0."""
        return nps_variance(self.promoters, self.detractors, self.n)


def nps_variance(promoters: int, detractors: int, n: int) -> float | None:
    """Variance of the NPS estimate (proportion scale): (p_P + p_D − (p_P − p_D)²) / n."""
    if n <= 0:
        return None
    p_p = promoters / n
    p_d = detractors / n
    # max() guards against a tiny negative from float rounding when everyone is in one category.
    return max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n


def nps_from_counts(promoters: int, passives: int, detractors: int) -> NpsResult:
    """NPS and its 95% margin of error from category counts."""
    if min(promoters, passives, detractors) < 0:
        raise ValueError("counts must not be negative")
    n = promoters + passives + detractors
    var = nps_variance(promoters, detractors, n)
    if var is None:
        return NpsResult(promoters, passives, detractors, 0, None, None)
    nps = (promoters - detractors) / n * 100
    if n < MIN_ANSWERS:
        return NpsResult(promoters, passives, detractors, n, nps, None)
    if var == 0:  # all in one category: not certainty (see the module docstring)
        adjusted = nps_variance(promoters + 1, detractors + 1, n + 3) or 0.0
        var = adjusted * (n + 3) / n
    return NpsResult(promoters, passives, detractors, n, nps, Z95 * math.sqrt(var) * 100)


@dataclass(frozen=True, slots=True)
class NpsChange:
    """Change between two NPS figures and whether it is beyond sampling noise (95%)."""

    delta: float | None  # points; None when either side has no answers
    threshold: float | None  # points; |delta| must exceed this to be significant
    significant: bool
    too_few: bool = False  # a side has fewer than MIN_ANSWERS answers: no verdict either way


def compare(current: NpsResult, previous: NpsResult) -> NpsChange:
    """Δ = current − previous; significant when |Δ| > 1.96·sqrt(var1/n1 + var2/n2) (proportions).

    ``NpsResult.variance`` is already divided by n, so the threshold is 1.96·sqrt(v1 + v2).
    """
    v1, v2 = current.variance, previous.variance
    if current.nps is None or previous.nps is None or v1 is None or v2 is None:
        return NpsChange(None, None, False)
    delta = current.nps - previous.nps
    if min(current.n, previous.n) < MIN_ANSWERS:
        return NpsChange(delta, None, False, too_few=True)
    threshold = Z95 * math.sqrt(v1 + v2) * 100
    # Two samples with zero variance each (e.g. all promoters vs all detractors) differ for sure.
    return NpsChange(delta, threshold, abs(delta) > threshold)


def category_ranges(score: Any = Response.score) -> tuple[Any, Any, Any]:
    """Conditions on ``score`` for promoters, passives and detractors (index ranges)."""
    return score >= 9, score.between(7, 8), score <= 6


def category_sums() -> tuple[Any, Any, Any]:
    """SQL expressions counting promoters, passives and detractors over ``Response.score``."""
    promoters = func.sum(case((Response.score >= 9, 1), else_=0))
    passives = func.sum(case(((Response.score >= 7) & (Response.score <= 8), 1), else_=0))
    detractors = func.sum(case((Response.score <= 6, 1), else_=0))
    return promoters, passives, detractors


def _row_to_result(row: Any) -> NpsResult:
    return nps_from_counts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


async def nps_by_campaign(
    session: AsyncSession, campaign_ids: Sequence[int] | None = None
) -> dict[int, NpsResult]:
    """NPS of each campaign that has answers (or of the given ones; those without answers get n=0)."""
    # One COUNT(*) per campaign and category, each over a range of the (campaign, score, ...)
    # index: a count walks the range without reading any column, about twice as fast on SQLite as
    # GROUP BY (campaign, score) over the same entries (which also steps an aggregate per row).
    counts = [
        select(func.count())
        .select_from(Response)
        .where(Response.campaign_id == Campaign.id, band)
        .correlate(Campaign)
        .scalar_subquery()
        for band in category_ranges()
    ]
    stmt = select(Campaign.id, *counts)
    if campaign_ids is not None:
        if not campaign_ids:
            return {}
        stmt = stmt.where(Campaign.id.in_(list(campaign_ids)))
    result: dict[int, NpsResult] = {}
    for cid, *row in (await session.execute(stmt)).all():
        figure = _row_to_result(row)
        if figure.n or campaign_ids is not None:
            result[int(cid)] = figure
    for cid in campaign_ids or ():
        result.setdefault(cid, nps_from_counts(0, 0, 0))
    return result


def filtered_responses(
    stmt: Select[Any],
    *,
    campaign_id: int | None = None,
    segment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Any]:
    """Apply the common filters (campaign, partner segment, answered_at in [since, until))."""
    if campaign_id is not None:
        stmt = stmt.where(Response.campaign_id == campaign_id)
    if segment is not None:
        stmt = stmt.where(Response.segment == segment)  # as it was when they answered
    if since is not None:
        stmt = stmt.where(Response.answered_at >= since)
    if until is not None:
        stmt = stmt.where(Response.answered_at < until)
    return stmt


async def nps_for(
    session: AsyncSession,
    *,
    campaign_id: int | None = None,
    segment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> NpsResult:
    """NPS of the answers matching every given filter (answered_at in [since, until), UTC-aware)."""
    stmt = filtered_responses(
        select(*category_sums()).select_from(Response),
        campaign_id=campaign_id,
        segment=segment,
        since=since,
        until=until,
    )
    row = (await session.execute(stmt)).one()
    return _row_to_result(row)


def pooled(results: Iterable[NpsResult]) -> NpsResult:
    """NPS of several groups taken together (counts added)."""
    p = s = d = 0
    for r in results:
        p, s, d = p + r.promoters, s + r.passives, d + r.detractors
    return nps_from_counts(p, s, d)

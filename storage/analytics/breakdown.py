"""NPS by partner segment, tier, geo or niche (as they were when the partner answered), with
small groups folded away, and revenue by category.

Anonymity rule (``MIN_GROUP_SIZE``, default 5): a group with fewer answers than that is folded
into one "other" group so no figure can be traced to a partner. If "other" itself stays below
the minimum, the smallest named groups are folded into it too, one by one, until it reaches the
minimum; when even everything together is below the minimum, or nothing named is left, no
breakdown is shown at all.
Showing a small "other" (or hiding it and leaving a gap) would let anyone subtract the shown
groups from the total and read off the few answers in it.

Partners without a value for the dimension form their own group (key ``UNSET``), folded like
any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.nps import NpsChange, NpsResult, category_sums, compare, nps_from_counts, pooled
from storage.models import Partner, Response

# The partner's attributes as they were when they answered (copied into the answer): a later
# re-import of partners changes no past campaign's breakdown.
DIMENSIONS: dict[str, Any] = {
    "segment": Response.segment,
    "tier": Response.tier,
    "geo": Response.geo,
    "niche": Response.niche,
}
UNSET = ""  # key of partners with no value for the dimension
FOLDED: None = None  # key of the "other" group small groups are folded into


@dataclass(frozen=True, slots=True)
class Revenue:
    """Monthly revenue of the answering partners whose revenue is known, by category."""

    partners: tuple[int, int, int]  # promoters, passives, detractors with a known revenue
    total: tuple[Decimal, Decimal, Decimal]

    @classmethod
    def empty(cls) -> Revenue:
        """No known revenue."""
        return cls((0, 0, 0), (Decimal(0), Decimal(0), Decimal(0)))

    @property
    def known(self) -> int:
        """How many answering partners have a known revenue."""
        return sum(self.partners)

    @property
    def overall(self) -> Decimal:
        """Revenue of all answering partners with a known revenue."""
        return sum(self.total, Decimal(0))

    def shares(self) -> tuple[float, float, float] | None:
        """Share of revenue from promoters, passives, detractors (None when there is none)."""
        overall = self.overall
        if overall <= 0:
            return None
        p, s, d = (float(t / overall) for t in self.total)
        return p, s, d

    def averages(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        """Average revenue per partner in each category (None for an empty category)."""
        p, s, d = (t / n if n else None for t, n in zip(self.total, self.partners, strict=True))
        return p, s, d

    @property
    def at_risk(self) -> Decimal:
        """Monthly revenue of detractors."""
        return self.total[2]


@dataclass(frozen=True, slots=True)
class Group:
    """One row of a breakdown; ``key`` is the value, ``UNSET`` or ``FOLDED`` ("other")."""

    key: str | None
    nps: NpsResult
    folded: int = 0  # how many original groups "other" holds


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Groups by size, biggest first (``FOLDED`` last); ``hidden`` when all were too small."""

    dimension: str
    groups: tuple[Group, ...]
    hidden: bool

    def named(self) -> dict[str, Group]:
        """Groups shown under their own name (not folded)."""
        return {g.key: g for g in self.groups if g.key is not None}


@dataclass(frozen=True, slots=True)
class Mover:
    """A group whose NPS changed between two campaigns."""

    key: str
    current: NpsResult
    previous: NpsResult
    change: NpsChange


async def group_counts(
    session: AsyncSession, campaign_id: int, dimension: str, *, with_revenue: bool = True
) -> tuple[dict[str, NpsResult], Revenue]:
    """Category counts per value of ``dimension`` for one campaign, and revenue by category.

    Revenue rides along in the same pass over the answers, so the segment breakdown and the
    revenue split cost one query.
    """
    # The bare column, not COALESCE: SQLite then walks ix_responses_campaign_segment in segment
    # order and aggregates as rows come; grouping by a computed key would sort them all first.
    # Answers without a value come back as NULL and join UNSET below.
    key = DIMENSIONS[dimension]
    revenue = Partner.monthly_revenue
    p, s, d = category_sums()
    has_rev = revenue.is_not(None)
    money = (
        [
            func.sum(case(((Response.score >= 9) & has_rev, 1), else_=0)),
            func.sum(case(((Response.score.between(7, 8)) & has_rev, 1), else_=0)),
            func.sum(case(((Response.score <= 6) & has_rev, 1), else_=0)),
            func.sum(case((Response.score >= 9, revenue), else_=None)),
            func.sum(case((Response.score.between(7, 8), revenue), else_=None)),
            func.sum(case((Response.score <= 6, revenue), else_=None)),
        ]
        if with_revenue
        else []
    )
    stmt = (
        select(key, p, s, d, *money)
        .select_from(Response)
        .join(Partner, Partner.id == Response.partner_id)
        .where(Response.campaign_id == campaign_id)
        .group_by(key)
    )
    groups: dict[str, NpsResult] = {}
    rev_n = [0, 0, 0]
    rev_sum = [Decimal(0), Decimal(0), Decimal(0)]
    for row in (await session.execute(stmt)).all():
        name = UNSET if row[0] is None else str(row[0])
        counts = nps_from_counts(int(row[1] or 0), int(row[2] or 0), int(row[3] or 0))
        groups[name] = pooled([groups[name], counts]) if name in groups else counts  # NULL and ""
        for i in range(3 if with_revenue else 0):
            rev_n[i] += int(row[4 + i] or 0)
            # SQLite sums NUMERIC as float; round to cents so totals print like money.
            rev_sum[i] += Decimal(str(row[7 + i] or 0)).quantize(Decimal("0.01"))
    return groups, Revenue((rev_n[0], rev_n[1], rev_n[2]), (rev_sum[0], rev_sum[1], rev_sum[2]))


def fold_small(dimension: str, counts: dict[str, NpsResult], min_size: int) -> Breakdown:
    """Apply the anonymity rule of the module docstring."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1].n, kv[0]))
    big = [(k, v) for k, v in ordered if v.n >= min_size]
    small = [v for _, v in ordered if v.n < min_size and v.n > 0]
    folded = len(small)
    other = pooled(small)
    if small:
        while other.n < min_size and big:
            _, smallest = big.pop()
            other = pooled([other, smallest])
            folded += 1
    if 0 < other.n < min_size or (small and not big):
        # Too small even together, or everything folded: "other" would just repeat the total.
        return Breakdown(dimension, (), hidden=True)
    groups = [Group(k, v) for k, v in big]
    if other.n:
        groups.append(Group(FOLDED, other, folded))
    return Breakdown(dimension, tuple(groups), hidden=False)


async def breakdown(
    session: AsyncSession, campaign_id: int, dimension: str, min_size: int, *, with_revenue: bool = True
) -> tuple[Breakdown, Revenue]:
    """Folded breakdown of one campaign by ``dimension``, and the revenue split by category."""
    counts, revenue = await group_counts(session, campaign_id, dimension, with_revenue=with_revenue)
    return fold_small(dimension, counts, min_size), revenue


def movers(current: Breakdown, previous: Breakdown, limit: int = 2) -> tuple[list[Mover], list[Mover]]:
    """Groups that went up most and down most, among those shown by name in both campaigns."""
    before = previous.named()
    moves = []
    for key, group in current.named().items():
        if key == UNSET or key not in before:
            continue
        change = compare(group.nps, before[key].nps)
        if change.delta is not None and change.delta != 0:
            moves.append(Mover(key, group.nps, before[key].nps, change))
    ups = sorted((m for m in moves if (m.change.delta or 0) > 0), key=lambda m: -(m.change.delta or 0))
    downs = sorted((m for m in moves if (m.change.delta or 0) < 0), key=lambda m: m.change.delta or 0)
    return ups[:limit], downs[:limit]

"""NPS read against retention and revenue: what a campaign's promoters, passives and detractors
did in the program's own figures (partner_kpis) around the campaign.

For a campaign launched in month M (in TIMEZONE), over the partners who answered its first
round with a score and have KPI rows at all:

- a month is *active* when its status is ``active``, or, with no status, when it has
  conversions or revenue; *retained*: active in at least one of M+1..M+3; *churned*: the rest;
  ``churn_rate = churned / (retained + churned)``;
- ``revenue_before``: their revenue over M-3..M-1; ``revenue_after``: over M+1..M+3; ARPU: that
  sum / the category's partners / 3; ``lifetime_revenue``: their revenue over every imported
  month / the category's partners;
- ``window_complete``: KPI rows exist for M+3 (else ``months_available`` of M+1..M+3 so far);
- detractors' churn minus promoters', significant at 95% when a two-proportion z-test gives
  |z| > 1.96.

One aggregate query (answers joined to their KPI rows by the primary key), money summed as
whole cents (exact on both databases).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, Integer, and_, case, exists, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, PartnerKpi, Response
from storage.models.kpi import ACTIVE
from storage.models.response import DETRACTOR, PASSIVE, PROMOTER
from storage.repo.kpi_import import month_of, shift

CATEGORIES = (PROMOTER, PASSIVE, DETRACTOR)
WINDOW = 3  # months before and after the campaign's month
Z_95 = 1.96
CENT = Decimal("0.01")


def money(cents: int | Decimal) -> Decimal:
    """Whole cents to an amount with two decimals."""
    return (Decimal(cents) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def per_partner(total_cents: int, partners: int, months: int = 1) -> Decimal:
    """An average per partner (and per month) with two decimals; 0.00 for no partners."""
    if partners == 0:
        return Decimal("0.00")
    return (Decimal(total_cents) / 100 / partners / months).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CategoryRetention:
    """One NPS category's partners, their churn and their revenue around the campaign."""

    partners: int = 0
    retained: int = 0
    churned: int = 0
    before_cents: int = 0
    after_cents: int = 0
    lifetime_cents: int = 0

    @property
    def churn_rate(self) -> float | None:
        """churned / partners; None without partners."""
        return self.churned / self.partners if self.partners else None

    @property
    def revenue_before(self) -> Decimal:
        return money(self.before_cents)

    @property
    def revenue_after(self) -> Decimal:
        return money(self.after_cents)

    @property
    def arpu_before(self) -> Decimal:
        return per_partner(self.before_cents, self.partners, WINDOW)

    @property
    def arpu_after(self) -> Decimal:
        return per_partner(self.after_cents, self.partners, WINDOW)

    @property
    def lifetime_revenue(self) -> Decimal:
        return per_partner(self.lifetime_cents, self.partners)


@dataclass(frozen=True)
class Retention:
    """A campaign's retention table (see module docstring)."""

    campaign_id: int
    month: str  # M, "YYYY-MM"
    months_available: int  # of M+1..M+3 with KPI rows
    categories: dict[str, CategoryRetention] = field(default_factory=dict)
    window_complete: bool = False  # KPI rows exist for M+3

    @property
    def churn_difference(self) -> float | None:
        """Detractors' churn rate minus promoters'; None when either has no partners."""
        d, p = self.categories[DETRACTOR].churn_rate, self.categories[PROMOTER].churn_rate
        return None if d is None or p is None else d - p

    @property
    def z(self) -> float | None:
        """Two-proportion z statistic of detractors' vs promoters' churn (pooled)."""
        d, p = self.categories[DETRACTOR], self.categories[PROMOTER]
        if not d.partners or not p.partners:
            return None
        pooled = (d.churned + p.churned) / (d.partners + p.partners)
        se = math.sqrt(pooled * (1 - pooled) * (1 / d.partners + 1 / p.partners))
        if se == 0:
            return None
        return (d.churned / d.partners - p.churned / p.partners) / se

    @property
    def significant(self) -> bool:
        """The churn difference is significant at 95%."""
        z = self.z
        return z is not None and abs(z) > Z_95


def campaign_month(campaign: Campaign, tz: ZoneInfo) -> str:
    """M: the month the campaign was launched in (created, if it never was), in ``tz``."""
    when: datetime = campaign.launched_at or campaign.created_at
    return month_of(when.astimezone(tz).date())


def is_active_month() -> ColumnElement[bool]:
    """SQL: the KPI row's month counts as active."""
    k = PartnerKpi
    return or_(
        k.status == ACTIVE,
        and_(k.status.is_(None), or_(k.conversions > 0, type_coerce(k.revenue, BigInteger) > 0)),
    )


def _category() -> ColumnElement[str]:
    return case(
        (Response.score >= 9, PROMOTER),
        (Response.score >= 7, PASSIVE),
        else_=DETRACTOR,
    )


async def months_with_rows(session: AsyncSession, months: list[str]) -> list[str]:
    """Which of ``months`` have any KPI row (one index probe each)."""
    found = []
    for month in months:
        if await session.scalar(select(exists().where(PartnerKpi.month == month))):
            found.append(month)
    return found


async def retention_of(session: AsyncSession, campaign: Campaign, tz: ZoneInfo) -> Retention:
    """The campaign's retention table."""
    m = campaign_month(campaign, tz)
    b1, b3, a1, a3 = shift(m, -WINDOW), shift(m, -1), shift(m, 1), shift(m, WINDOW)
    k = PartnerKpi
    cents = type_coerce(k.revenue, BigInteger)
    zero = type_coerce(0, BigInteger)
    in_after = k.month.between(a1, a3)
    per = (
        select(
            Response.partner_id.label("pid"),
            _category().label("category"),
            func.max(case((and_(in_after, is_active_month()), 1), else_=0)).label("active"),
            func.sum(case((k.month.between(b1, b3), func.coalesce(cents, zero)), else_=zero)).label("before"),
            func.sum(case((in_after, func.coalesce(cents, zero)), else_=zero)).label("after"),
            func.sum(func.coalesce(cents, zero)).label("lifetime"),
        )
        .join(k, k.partner_id == Response.partner_id)
        .where(Response.campaign_id == campaign.id, Response.round == 0, Response.score.is_not(None))
        .group_by(Response.partner_id, Response.score)
        .subquery()
    )
    rows = await session.execute(
        select(
            per.c.category,
            func.count(),
            func.sum(type_coerce(per.c.active, Integer)),
            func.sum(per.c.before),
            func.sum(per.c.after),
            func.sum(per.c.lifetime),
        ).group_by(per.c.category)
    )
    categories = dict.fromkeys(CATEGORIES, CategoryRetention())
    for category, partners, active, before, after, lifetime in rows:
        retained = int(active or 0)
        categories[str(category)] = CategoryRetention(
            partners=int(partners),
            retained=retained,
            churned=int(partners) - retained,
            before_cents=int(before or 0),
            after_cents=int(after or 0),
            lifetime_cents=int(lifetime or 0),
        )
    available = await months_with_rows(session, [shift(m, i) for i in range(1, WINDOW + 1)])
    return Retention(campaign.id, m, len(available), categories, window_complete=a3 in available)


async def retention(session: AsyncSession, campaign_id: int, tz: ZoneInfo) -> Retention | None:
    """The campaign's retention table; None when there is no such campaign."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    return await retention_of(session, campaign, tz)


def rate(value: float | None) -> float | None:
    """A rate rounded to 4 places."""
    return None if value is None else round(value, 4)


def as_json(result: Retention) -> dict[str, object]:
    """The API's shape: money as strings with two decimals, rates rounded to 4 places."""
    categories = {
        name: {
            "partners": c.partners,
            "retained": c.retained,
            "churned": c.churned,
            "churn_rate": rate(c.churn_rate),
            "revenue_before": f"{c.revenue_before:.2f}",
            "revenue_after": f"{c.revenue_after:.2f}",
            "arpu_before": f"{c.arpu_before:.2f}",
            "arpu_after": f"{c.arpu_after:.2f}",
            "lifetime_revenue": f"{c.lifetime_revenue:.2f}",
        }
        for name, c in result.categories.items()
    }
    return {
        "campaign": result.campaign_id,
        "month": result.month,
        "window_complete": result.window_complete,
        "months_available": result.months_available,
        "categories": categories,
        "detractor_vs_promoter": {
            "churn_difference": rate(result.churn_difference),
            "significant": result.significant,
        },
    }

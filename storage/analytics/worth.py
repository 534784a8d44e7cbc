""""What it's worth" for a digest: churn and revenue by NPS category after the latest campaign
whose KPI window is complete, key partners' NPS and the revenue detractors put at risk.

Built from storage/analytics/retention.py and storage/analytics/key_partners.py; None when the
program has imported no KPIs (the digest then says nothing about them).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.key_partners import key_partners
from storage.analytics.nps import NpsResult, nps_from_counts
from storage.analytics.retention import WINDOW, Retention, campaign_month, months_with_rows, retention_of
from storage.models import Campaign, Response, category_of
from storage.models import campaign as c
from storage.models.response import DETRACTOR, PASSIVE, PROMOTER
from storage.repo.kpi_import import shift

LOOK_BACK = 8  # campaigns searched for a complete window


@dataclass(frozen=True)
class Worth:
    """The figures of the digest's "What it's worth" part."""

    retention: Retention | None  # the latest campaign whose window is complete
    retention_title: str
    pending_title: str | None  # a newer campaign whose window is still open...
    pending_months: int  # ...complete in this many months
    key_partners: int
    key_nps: NpsResult  # key partners' answers to the digest's campaign
    at_risk_cents: int  # trailing 3-month revenue of the digest campaign's detractors
    months: tuple[str, ...]  # the trailing months


async def worth(session: AsyncSession, campaign_id: int, tz: ZoneInfo) -> Worth | None:
    """See module docstring."""
    key = await key_partners(session)
    if not key.months:
        return None
    campaigns = (
        await session.scalars(
            select(Campaign)
            .where(Campaign.launched_at.is_not(None), Campaign.status.not_in((c.DRAFT, c.CANCELLED)))
            .where(Campaign.kind != c.ONGOING)
            .order_by(Campaign.launched_at.desc(), Campaign.id.desc())
            .limit(LOOK_BACK)
        )
    ).all()
    table: Retention | None = None
    title = ""
    pending_title: str | None = None
    pending_months = 0
    for campaign in campaigns:
        m = campaign_month(campaign, tz)
        if await months_with_rows(session, [shift(m, WINDOW)]):  # the window is complete
            table, title = await retention_of(session, campaign, tz), campaign.title
            break
        if pending_title is None:
            pending_title = campaign.title
            # Months until M+3 is over and imported, counted from the last imported month.
            pending_months = max(1, _months_between(key.months[-1], shift(m, WINDOW)))
    answers = (
        await session.execute(
            select(Response.partner_id, Response.score).where(
                Response.campaign_id == campaign_id, Response.round == 0, Response.score.is_not(None)
            )
        )
    ).all()
    counts = {PROMOTER: 0, PASSIVE: 0, DETRACTOR: 0}
    at_risk = 0
    for pid, score in answers:
        category = category_of(int(score))
        if pid in key.ids:
            counts[category] += 1
        if category == DETRACTOR:
            at_risk += max(0, key.trailing_cents.get(pid, 0))
    return Worth(
        retention=table,
        retention_title=title,
        pending_title=pending_title,
        pending_months=pending_months,
        key_partners=len(key.ids),
        key_nps=nps_from_counts(counts[PROMOTER], counts[PASSIVE], counts[DETRACTOR]),
        at_risk_cents=at_risk,
        months=key.months,
    )


def _months_between(first: str, last: str) -> int:
    return (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])

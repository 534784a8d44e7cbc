"""Build a digest: figures from :mod:`storage.analytics`, text blocks, the chart.

The aggregates run on three pooled connections at a time; the chart is drawn in a worker thread
as soon as the trend is known, while the rest of the SQL runs, so the event loop keeps serving
partners meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.digest import fmt
from bot.digest.chart import ChartLabels, ChartPoint, ChurnBars, render_chart
from bot.digest.split import pack
from bot.digest.text import report_blocks, shown_partners
from bot.digest.worth import worth_block
from bot.i18n import Translate, Translator
from storage.analytics.campaigns import CampaignInfo
from storage.analytics.nps import NpsResult, nps_for, pooled
from storage.analytics.report import (
    DIGEST_DIMENSIONS,
    DIMENSIONS,
    TrendFigures,
    TrendPoint,
    activity,
    campaign_report,
    current_campaign,
)
from storage.analytics.worth import Worth, worth
from storage.models import utcnow

WEEK_DAYS = 7
SHORT_LABEL = 14


@dataclass(frozen=True, slots=True)
class DigestOptions:
    """What shapes a digest; normally taken from the settings."""

    locale: str
    tz: ZoneInfo
    min_group_size: int = 5
    anonymous: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, locale: str | None = None) -> DigestOptions:
        """Managers' language (DEFAULT_LOCALE) unless told otherwise, TIMEZONE, privacy settings."""
        return cls(
            locale=locale or settings.default_locale,
            tz=settings.tz,
            min_group_size=settings.min_group_size,
            anonymous=settings.anonymous_digests,
        )


@dataclass(frozen=True, slots=True)
class Digest:
    """Messages (HTML, each within Telegram's limit) and an optional PNG chart."""

    parts: list[str]
    chart: bytes | None = None
    campaign_id: int | None = None
    empty: bool = field(default=False)  # nothing new: one line, no chart
    # (partner, strings of theirs the parts show): bot/digest/deliver.py remembers the parts
    shown: tuple[tuple[int, tuple[str, ...]], ...] = ()


def _label(info: CampaignInfo, tz: ZoneInfo) -> str:
    title = " ".join(info.title.split())
    if len(title) <= SHORT_LABEL:
        return title
    if info.launched_at is None:
        return f"#{info.id}"
    return f"#{info.id} {info.launched_at.astimezone(tz):%m.%Y}"


def chart_points(
    campaign: CampaignInfo, nps: NpsResult, trend: tuple[TrendPoint, ...], tz: ZoneInfo
) -> list[ChartPoint]:
    """Bars of the chart: the trend, or the campaign alone when it has none (ongoing)."""
    series = [(p.campaign, p.nps) for p in trend] or [(campaign, nps)]
    return [
        ChartPoint(
            _label(info, tz), figure.nps, figure.margin, figure.promoters, figure.passives, figure.detractors
        )
        for info, figure in series
        if figure.n
    ]


def churn_bars(figures: Worth | None, _: Translate) -> ChurnBars | None:
    """The chart's churn panel: the latest campaign whose KPI window is complete."""
    table = figures.retention if figures is not None else None
    if figures is None or table is None:
        return None
    rates = tuple(table.categories[name].churn_rate for name in ("promoter", "passive", "detractor"))
    title = _("dg-chart-churn", title=fmt.clip(figures.retention_title, 40), month=table.month)
    return ChurnBars(title, (rates[0], rates[1], rates[2]))


def chart_labels(_: Translate) -> ChartLabels:
    """Localised words of the chart."""
    return ChartLabels(
        title=_("dg-chart-title"),
        nps_axis=_("dg-chart-nps"),
        split_axis=_("dg-chart-split"),
        promoters=_("dg-chart-promoters"),
        passives=_("dg-chart-passives"),
        detractors=_("dg-chart-detractors"),
    )


async def campaign_digest(
    sessions: async_sessionmaker[AsyncSession],
    translator: Translator,
    options: DigestOptions,
    campaign_id: int,
    *,
    title: str | None = None,
    lead: str | None = None,
    full: bool = False,
    now: datetime | None = None,
) -> Digest | None:
    """The digest of one campaign (None if it does not exist); ``title``/``lead`` open the text.

    ``full`` (``/report``) adds the tier and geo breakdowns to the segment one.
    """
    _ = translator.bind(options.locale)
    charts: list[bytes] = []

    async def draw(first: TrendFigures) -> None:
        # Drawn alongside the rest of the SQL: SQLite and PostgreSQL do their work outside the
        # GIL, so the drawing thread and the queries overlap instead of adding up.
        points = chart_points(first.campaign, first.nps, first.trend, options.tz)
        if points:
            churn = churn_bars(figures, _)
            charts.append(await asyncio.to_thread(render_chart, points, chart_labels(_), churn))

    # Before the report: the chart (drawn while the report's SQL runs) has a churn panel.
    async with sessions() as session:
        figures = await worth(session, campaign_id, options.tz)
    report = await campaign_report(
        sessions,
        campaign_id,
        tz=options.tz,
        min_group_size=options.min_group_size,
        dimensions=DIMENSIONS if full else DIGEST_DIMENSIONS,
        on_figures=draw,
        now=now,
    )
    if report is None:
        return None
    chart = charts[0] if charts else None
    heading = title or _("dg-title-campaign", title=fmt.clip(report.campaign.title, 120))
    blocks = report_blocks(
        report,
        _,
        locale=options.locale,
        tz=options.tz,
        min_size=options.min_group_size,
        anonymous=options.anonymous,
    )
    worth_text = worth_block(figures, _, options.locale, options.min_group_size) if report.nps.n else ""
    if worth_text:
        blocks.append(worth_text)
    first = "\n".join(x for x in (heading, lead) if x)
    shown = shown_partners(report, _, options.anonymous)
    return Digest(pack([first, *blocks]), chart, report.campaign.id, shown=shown)


async def weekly_digest(
    sessions: async_sessionmaker[AsyncSession],
    translator: Translator,
    options: DigestOptions,
    *,
    now: datetime | None = None,
) -> Digest:
    """The weekly digest: the current campaign's digest, or one line when the week was quiet.

    "Current" is defined in :mod:`storage.analytics.campaigns`; the week is the 7 days before
    ``now``, over all campaigns (ongoing feedback included).
    """
    _ = translator.bind(options.locale)
    now = now or utcnow()
    async with sessions() as session:
        week = await activity(session, until=now, days=WEEK_DAYS)
        current = await current_campaign(session)
        quiet = week.answers == 0 or current is None
        # Only a quiet week needs the figure on its own; otherwise the report computes it.
        current_nps = (
            pooled([await nps_for(session, campaign_id=cid) for cid in current.wave])  # pilots too
            if quiet and current
            else None
        )
    if quiet:
        if current is None or current_nps is None or current_nps.n == 0:
            return Digest([_("dg-week-none-empty")], None, None, empty=True)
        line = _(
            "dg-week-none",
            nps=fmt.signed(current_nps.nps),
            title=fmt.clip(current.title, 80),
            n=current_nps.n,
        )
        return Digest([line], None, current.id, empty=True)
    assert current is not None
    lead = _("dg-week-activity", n=week.answers)
    title = _("dg-title-weekly", date=fmt.day(now, options.tz))
    digest = await campaign_digest(sessions, translator, options, current.id, title=title, lead=lead, now=now)
    assert digest is not None  # the campaign was just found
    return digest

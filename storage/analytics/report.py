"""Everything a digest says about one campaign, gathered by SQL aggregates.

Only reads: on SQLite they run outside transactions (see :mod:`storage.db`), so a report never
holds the write lock and partners' answers never wait behind it. Independent parts run on two
pooled connections at once; SQLite releases the GIL while it works, so both cores are used.

See :mod:`storage.analytics.campaigns` for what "current", "previous" and "quarter" mean.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.analytics.breakdown import Breakdown, Mover, Revenue, breakdown, movers
from storage.analytics.campaigns import (
    CampaignInfo,
    campaign_info,
    ongoing_campaign_id,
    previous_of,
    previous_quarter_key,
    quarter_key,
    regular_campaigns,
    series_of,
)
from storage.analytics.comments import CommentSummary, Quote, latest_comments, quotes, summarize
from storage.analytics.drivers import DriverStat, driver_stats
from storage.analytics.movement import Movement, movement
from storage.analytics.nps import NpsChange, NpsResult, compare, nps_by_campaign, nps_for, pooled
from storage.analytics.rates import Rates, rates
from storage.db import without_parallel_workers
from storage.models import Response, utcnow
from storage.repo.themes import theme_counts

TREND_LENGTH = 8
DIMENSIONS = ("segment", "tier", "geo", "niche")
DIGEST_DIMENSIONS = ("segment",)  # the pushed digest stays short (and fast); /report shows all

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One campaign of the regular series with its NPS."""

    campaign: CampaignInfo
    nps: NpsResult


@dataclass(frozen=True, slots=True)
class TrendFigures:
    """The first figures of a report: the campaign's NPS and the trend up to it."""

    campaign: CampaignInfo
    nps: NpsResult
    trend: tuple[TrendPoint, ...]  # empty for the ongoing campaign


FiguresHook = Callable[[TrendFigures], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Comparison:
    """A figure next to an earlier one."""

    label: str  # campaign title or quarter key
    previous: NpsResult
    change: NpsChange


@dataclass(frozen=True, slots=True)
class CampaignReport:
    """Figures of one campaign (see the module docstrings for definitions)."""

    campaign: CampaignInfo
    nps: NpsResult
    quarter: str | None
    quarter_nps: NpsResult | None
    vs_previous: Comparison | None
    vs_quarter: Comparison | None
    rates: Rates
    breakdowns: dict[str, Breakdown]
    ups: tuple[Mover, ...]
    downs: tuple[Mover, ...]
    drivers: tuple[DriverStat, ...]
    comments: CommentSummary
    detractor_quotes: tuple[Quote, ...]
    promoter_quotes: tuple[Quote, ...]
    movement: Movement | None
    revenue: Revenue
    trend: tuple[TrendPoint, ...]


@dataclass(frozen=True, slots=True)
class Frame:
    """Where a campaign sits: the regular series up to it and which campaigns the report reads."""

    campaign: CampaignInfo
    upto: tuple[CampaignInfo, ...]  # regular series up to this campaign, oldest first
    previous: CampaignInfo | None  # the regular campaign before it (answers not checked yet)
    wanted: frozenset[int]  # campaigns whose NPS the trend, the comparison and quarters need


async def campaign_frame(
    sessions: Sessions, campaign_id: int, tz: ZoneInfo, trend_length: int = TREND_LENGTH
) -> Frame | None:
    """The campaign and its place in the series (a couple of small queries), or None."""
    async with sessions() as session:
        campaign = await campaign_info(session, campaign_id)
        if campaign is None:
            return None
        series = series_of(await regular_campaigns(session), campaign)
    upto = series
    if campaign.regular:
        index = next((i for i, s in enumerate(series) if s.id == campaign.id), len(series) - 1)
        upto = series[: index + 1]
    members = set(upto[-trend_length:]) if campaign.regular else set()
    if campaign.program_wide and campaign.launched_at is not None:
        q = quarter_key(campaign.launched_at, tz)
        quarters = {q, previous_quarter_key(q)}
        members |= {s for s in upto if s.launched_at and quarter_key(s.launched_at, tz) in quarters}
    members.add(campaign)
    previous = previous_of(upto, campaign.id) if campaign.regular else None
    if previous is not None:
        members.add(previous)
    wanted = {cid for s in members for cid in s.wave}
    return Frame(campaign, tuple(upto), previous, frozenset(wanted))


def wave_figures(frame: Frame, counted: dict[int, NpsResult]) -> dict[int, NpsResult]:
    """Each campaign's own figure, with a wave's pilots pooled into the launch that completed it."""
    figures = dict(counted)
    for s in {*frame.upto, frame.campaign}:
        if s.pilots:
            figures[s.id] = pooled(counted[cid] for cid in s.wave if cid in counted)
    return figures


def _quarters(
    frame: Frame, figures: dict[int, NpsResult], tz: ZoneInfo
) -> tuple[str | None, NpsResult | None, Comparison | None]:
    campaign = frame.campaign
    if not campaign.program_wide or campaign.launched_at is None:
        return None, None, None
    q = quarter_key(campaign.launched_at, tz)
    prev_q = previous_quarter_key(q)

    def of(key: str) -> NpsResult:
        return pooled(
            figures[s.id] for s in frame.upto if s.launched_at and quarter_key(s.launched_at, tz) == key
        )

    now_q, before_q = of(q), of(prev_q)
    vs = Comparison(prev_q, before_q, compare(now_q, before_q)) if before_q.n else None
    return q, now_q, vs


async def campaign_report(
    sessions: Sessions,
    campaign_id: int,
    *,
    tz: ZoneInfo,
    min_group_size: int,
    trend_length: int = TREND_LENGTH,
    dimensions: Sequence[str] = DIMENSIONS,
    on_figures: FiguresHook | None = None,
    now: datetime | None = None,
) -> CampaignReport | None:
    """The full report of one campaign, or None when it does not exist.

    Three independent parts run at once, each on its own pooled connection (so the pool must
    allow three): the NPS figures with the comment themes, this campaign's breakdowns, and the
    comparison with the previous campaign. ``on_figures`` (the digest's chart) is started as soon
    as the NPS figures are in, alongside the rest, and the report waits for it.
    """
    frame = await campaign_frame(sessions, campaign_id, tz, trend_length)
    if frame is None:
        return None
    campaign, previous = frame.campaign, frame.previous
    (
        (figures, comments),
        (breakdowns, revenue, counts, drivers),
        (before, moved, bad, good),
    ) = await asyncio.gather(
        _figures_and_themes(sessions, frame, trend_length, on_figures, now or utcnow()),
        _this_campaign(sessions, campaign.id, dimensions, min_group_size),
        _against_previous(sessions, campaign.id, previous, min_group_size),
    )
    own_n = figures[campaign.id].n  # this campaign's answers (the rates are about its invitations)
    figures = wave_figures(frame, figures)
    nps = figures[campaign.id]
    if previous is not None and not figures[previous.id].n:
        previous, before, moved = None, None, None  # nothing to compare with
    ups: list[Mover] = []
    downs: list[Mover] = []
    if before is not None and "segment" in breakdowns:
        ups, downs = movers(breakdowns["segment"], before)
    quarter, quarter_nps, vs_quarter = _quarters(frame, figures, tz)
    vs_previous = (
        Comparison(previous.title, figures[previous.id], compare(nps, figures[previous.id]))
        if previous is not None
        else None
    )
    return CampaignReport(
        campaign=campaign,
        nps=nps,
        quarter=quarter,
        quarter_nps=quarter_nps,
        vs_previous=vs_previous,
        vs_quarter=vs_quarter,
        rates=replace(counts, responded=own_n),
        breakdowns=breakdowns,
        ups=tuple(ups),
        downs=tuple(downs),
        drivers=tuple(replace(d, share=d.count / own_n if own_n else 0.0) for d in drivers),
        comments=comments,
        detractor_quotes=tuple(bad),
        promoter_quotes=tuple(good),
        movement=moved,
        revenue=revenue,
        trend=_trend(frame, figures, trend_length),
    )


def _trend(frame: Frame, figures: dict[int, NpsResult], trend_length: int) -> tuple[TrendPoint, ...]:
    if not frame.campaign.regular:
        return ()
    return tuple(TrendPoint(s, figures[s.id]) for s in frame.upto[-trend_length:])


@asynccontextmanager
async def _part_session(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    """A session for one of the parts that run side by side: no parallel workers on top."""
    async with sessions() as session:
        await without_parallel_workers(session)
        yield session


async def _figures_and_themes(
    sessions: Sessions, frame: Frame, trend_length: int, on_figures: FiguresHook | None, now: datetime
) -> tuple[dict[int, NpsResult], CommentSummary]:
    async with _part_session(sessions) as session:
        figures = await nps_by_campaign(session, sorted(set(frame.wanted)))
        hook: asyncio.Task[None] | None = None
        if on_figures is not None:
            waves = wave_figures(frame, figures)
            trend = _trend(frame, waves, trend_length)
            hook = asyncio.create_task(
                on_figures(TrendFigures(frame.campaign, waves[frame.campaign.id], trend))
            )
        try:
            texts = await latest_comments(session, frame.campaign.id)
            counts = await theme_counts(session, frame.campaign.id)  # stored on arrival: no classifying here
            # Counting phrases is CPU work: a worker thread, while the other parts' SQL runs.
            summary = await asyncio.to_thread(summarize, counts, texts)
        except BaseException:
            if hook is not None:  # never left running (or its error unread) behind a failed query
                hook.cancel()
                await asyncio.gather(hook, return_exceptions=True)
            raise
    if hook is not None:
        await hook
    return figures, summary


async def _this_campaign(
    sessions: Sessions, campaign_id: int, dimensions: Sequence[str], min_group_size: int
) -> tuple[dict[str, Breakdown], Revenue, Rates, list[DriverStat]]:
    breakdowns: dict[str, Breakdown] = {}
    revenue = Revenue.empty()
    async with _part_session(sessions) as session:
        for i, dim in enumerate(dimensions):
            # Revenue is the same in every dimension: sum it in the first pass only.
            breakdowns[dim], dim_revenue = await breakdown(
                session, campaign_id, dim, min_group_size, with_revenue=i == 0
            )
            if i == 0:
                revenue = dim_revenue
        # Answer counts come from the figures part; rates and shares are completed by the caller.
        counts = await rates(session, campaign_id, 0)
        drivers = await driver_stats(session, campaign_id, 0)
    return breakdowns, revenue, counts, drivers


async def _against_previous(
    sessions: Sessions, campaign_id: int, previous: CampaignInfo | None, min_group_size: int
) -> tuple[Breakdown | None, Movement | None, list[Quote], list[Quote]]:
    before: Breakdown | None = None
    moved: Movement | None = None
    async with _part_session(sessions) as session:
        if previous is not None:
            before, _ = await breakdown(session, previous.id, "segment", min_group_size, with_revenue=False)
            moved = await movement(session, campaign_id, previous.id)
        bad = await quotes(session, campaign_id, promoters=False)
        good = await quotes(session, campaign_id, promoters=True)
    return before, moved, bad, good


async def current_campaign(session: AsyncSession) -> CampaignInfo | None:
    """The latest program-wide wave with answers; else the latest campaign with answers (a pilot
    or a segment's, on its own); the ongoing campaign if no round has any."""
    candidates = list(reversed(await regular_campaigns(session)))
    ongoing = await ongoing_campaign_id(session)
    for info in candidates:
        if info.program_wide and any([await _has_answers(session, cid) for cid in info.wave]):
            return info
    for info in candidates:
        if await _has_answers(session, info.id):
            return info
    if ongoing is not None and await _has_answers(session, ongoing):
        return await campaign_info(session, ongoing)
    return None


async def _has_answers(session: AsyncSession, campaign_id: int) -> bool:
    # An index probe per campaign, newest first: no counting of a million answers.
    found = await session.scalar(select(Response.id).where(Response.campaign_id == campaign_id).limit(1))
    return found is not None


@dataclass(frozen=True, slots=True)
class CurrentFigure:
    """``/nps``: the current campaign's NPS (optionally for one segment) and the change."""

    campaign: CampaignInfo
    nps: NpsResult
    vs_previous: Comparison | None


async def current_nps(
    session: AsyncSession, segment: str | None = None, *, campaign_id: int | None = None
) -> CurrentFigure | None:
    """Current NPS (see :mod:`storage.analytics.campaigns`), for one segment when given; of
    campaign ``campaign_id`` instead of the current one when given (the read API)."""
    campaign = await (
        current_campaign(session) if campaign_id is None else campaign_info(session, campaign_id)
    )
    if campaign is None:
        return None
    nps = pooled([await nps_for(session, campaign_id=cid, segment=segment) for cid in campaign.wave])
    vs: Comparison | None = None
    if campaign.regular:
        previous = previous_of(series_of(await regular_campaigns(session), campaign), campaign.id)
        if previous is not None:
            before = pooled(
                [await nps_for(session, campaign_id=cid, segment=segment) for cid in previous.wave]
            )
            if before.n:
                vs = Comparison(previous.title, before, compare(nps, before))
    return CurrentFigure(campaign, nps, vs)


@dataclass(frozen=True, slots=True)
class Activity:
    """Answers given in a time window, over all campaigns (ongoing feedback included)."""

    since: datetime
    until: datetime
    answers: int


async def activity(session: AsyncSession, *, until: datetime, days: float = 7) -> Activity:
    """How many answers came in during the ``days`` before ``until`` (a count on the date index)."""
    since = until - timedelta(days=days)
    found = await session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.answered_at >= since, Response.answered_at < until)
    )
    return Activity(since, until, int(found or 0))

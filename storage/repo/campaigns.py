"""Campaign management: drafts, audiences, launch, pause/resume/close, statistics.

Audience rules (applied when a draft is created to show its size, and again at launch, when the
audience is frozen into invitation rows):
- never: opted-out, blocked, erased partners, partners without a Telegram id, and partners who
  never pressed /start (Telegram does not let a bot write first; they would only bounce as 403);
- ``segments`` (case-insensitive) narrows to those segments;
- fatigue: partners with ANY response (including the always-open "ongoing" feedback) answered in
  the last MIN_DAYS_BETWEEN_SURVEYS days are left out unless ``force``. A partner who just gave
  feedback on their own has been heard as recently as one who answered a campaign, so asking
  again would be the same fatigue;
- ``sample`` ("10%" rounds up, or a count) picks that many at random from the eligible ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.campaigns import segments_key
from storage.analytics.nps import nps_by_campaign
from storage.models import Campaign, Delivery, Partner, Response
from storage.models import campaign as c
from storage.models import delivery as d
from storage.repo import deliveries, delivery_queue, hook_events
from storage.repo.deliveries import Counts

SAMPLE = re.compile(r"^(?:(?P<pct>\d{1,3}(?:\.\d+)?)%|(?P<count>\d{1,9}))$", re.ASCII)  # 0-9 only


class CampaignError(Exception):
    """A campaign action that is not possible; ``key`` names the locale message."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


def valid_sample(sample: str) -> bool:
    """True for "N%" with 0 < N <= 100, or a positive count."""
    m = SAMPLE.match(sample)
    if m is None:
        return False
    if m["pct"] is not None:
        return 0 < float(m["pct"]) <= 100
    return int(m["count"]) > 0


def sample_size(sample: str | None, eligible: int) -> int:
    """How many of ``eligible`` partners the sample takes."""
    if not sample:
        return eligible
    m = SAMPLE.match(sample)
    if m is None:
        raise ValueError(sample)
    if m["pct"] is not None:
        return min(eligible, math.ceil(eligible * float(m["pct"]) / 100))
    return min(eligible, int(m["count"]))


def split_segments(segments: str | None) -> list[str]:
    """The stored comma-joined segments as a list (empty: all)."""
    return [s for s in (segments or "").split(",") if s]


def eligible_select(*, now: datetime, min_days: int, segments: list[str] | None, force: bool) -> Select[Any]:
    """SELECT Partner.id of everyone the audience rules allow (see module docstring)."""
    stmt = select(Partner.id).where(Partner.reachable())
    if segments:
        stmt = stmt.where(func.lower(Partner.segment).in_([s.lower() for s in segments]))
    if not force and min_days > 0:
        recent = select(Response.partner_id).where(Response.answered_at >= now - timedelta(days=min_days))
        stmt = stmt.where(Partner.id.not_in(recent))
    return stmt


def _eligible_for(campaign: Campaign, now: datetime, min_days: int, pilots: list[int]) -> Select[Any]:
    stmt = eligible_select(
        now=now, min_days=min_days, segments=split_segments(campaign.segments), force=campaign.force
    )
    if pilots:
        # One wave, one invitation: the pilots' invitees (answered or not) are not asked again.
        asked = select(Delivery.partner_id).where(
            Delivery.kind == d.INVITATION, Delivery.campaign_id.in_(pilots)
        )
        stmt = stmt.where(Partner.id.not_in(asked))
    return stmt


async def open_pilots(session: AsyncSession, campaign: Campaign) -> list[int]:
    """The pilots a launch of ``campaign`` completes: launched ``sample=`` campaigns of the same
    segments, not in a wave yet, since the last campaign of those segments without a sample.
    A sample campaign completes no wave (it is a pilot itself)."""
    if campaign.sample:
        return []
    rows = (
        await session.execute(
            select(Campaign.id, Campaign.segments, Campaign.sample, Campaign.wave_id, Campaign.status)
            .where(
                Campaign.kind != c.ONGOING,
                Campaign.launched_at.is_not(None),
                Campaign.id != campaign.id,
            )
            .order_by(Campaign.launched_at, Campaign.id)
        )
    ).all()
    key = segments_key(campaign.segments)
    pilots: list[int] = []
    for cid, segments, sample, wave_id, status in rows:
        if segments_key(segments) != key:
            continue
        if not sample:
            pilots = []  # a full launch of these segments closed the earlier pilots' waves
        elif wave_id is None and status != c.CANCELLED:
            pilots.append(int(cid))
    return pilots


async def audience_size(session: AsyncSession, campaign: Campaign, *, now: datetime, min_days: int) -> int:
    """Audience the campaign would have if launched now (after the sample)."""
    pilots = await open_pilots(session, campaign)
    eligible = _eligible_for(campaign, now, min_days, pilots).subquery()
    total = int(await session.scalar(select(func.count()).select_from(eligible)) or 0)
    return sample_size(campaign.sample, total)


async def known_segments(session: AsyncSession) -> list[str]:
    """Distinct segments of partners (for the usage hint)."""
    rows = await session.scalars(
        select(Partner.segment).where(Partner.segment.is_not(None)).distinct().order_by(Partner.segment)
    )
    return [s for s in rows.all() if s]


async def create_draft(
    session: AsyncSession,
    title: str,
    *,
    segments: list[str] | None = None,
    sample: str | None = None,
    force: bool = False,
    created_by: int | None = None,
    kind: str = c.MANUAL,
    period_key: str | None = None,
) -> Campaign:
    """A new draft campaign."""
    campaign = Campaign(
        title=title[:200],
        kind=kind,
        status=c.DRAFT,
        segments=",".join(segments) if segments else None,
        sample=sample,
        force=force,
        created_by=created_by,
        period_key=period_key,
    )
    session.add(campaign)
    await session.flush()
    return campaign


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    """A campaign by id (the ongoing feedback campaign is not managed here)."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or campaign.kind == c.ONGOING:
        return None
    return campaign


async def launch(
    session: AsyncSession, campaign: Campaign, *, now: datetime, min_days: int, campaign_days: float
) -> int:
    """Freeze the audience into pending invitations (one statement) and start the campaign.

    Returns the audience size. Raises CampaignError when not a draft or nobody is eligible; the
    caller must then roll back (the status flip may already be in the transaction).
    """
    if campaign.status != c.DRAFT:
        raise CampaignError("camp-err-not-draft", id=str(campaign.id), status=campaign.status)
    # The guard against two admins pressing Launch at once: only one flips draft -> running.
    flipped = await session.scalar(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == c.DRAFT)
        .values(status=c.RUNNING)
        .returning(Campaign.id)
        .execution_options(synchronize_session=False)
    )
    if flipped is None:
        raise CampaignError("camp-err-not-draft", id=str(campaign.id), status=c.RUNNING)
    pilots = await open_pilots(session, campaign)
    eligible = _eligible_for(campaign, now, min_days, pilots)
    if campaign.sample:
        total = int(await session.scalar(select(func.count()).select_from(eligible.subquery())) or 0)
        eligible = eligible.order_by(func.random()).limit(sample_size(campaign.sample, total))
    added = await delivery_queue.enqueue_select(session, d.INVITATION, campaign.id, eligible)
    if added == 0:
        raise CampaignError("camp-err-empty", id=str(campaign.id))
    if pilots:  # this launch completes their wave (storage.analytics.campaigns)
        await session.execute(
            update(Campaign)
            .where(Campaign.id.in_(pilots))
            .values(wave_id=campaign.id)
            .execution_options(synchronize_session=False)
        )
    campaign.status = c.RUNNING
    campaign.launched_at = now
    campaign.closes_at = now + timedelta(days=campaign_days)
    await session.flush()
    return added


async def pause(session: AsyncSession, campaign: Campaign) -> None:
    """Stop sending (answers are still taken)."""
    if campaign.status != c.RUNNING:
        raise CampaignError("camp-err-not-running", id=str(campaign.id), status=campaign.status)
    campaign.status = c.PAUSED
    await session.flush()


async def resume(session: AsyncSession, campaign: Campaign) -> None:
    """Continue sending a paused campaign."""
    if campaign.status != c.PAUSED:
        raise CampaignError("camp-err-not-paused", id=str(campaign.id), status=campaign.status)
    campaign.status = c.RUNNING
    await session.flush()


async def close(session: AsyncSession, campaign: Campaign, *, now: datetime) -> int:
    """Close a running or paused campaign; its unsent invitations/reminders become failed.

    Returns how many queued messages were dropped.
    """
    if campaign.status not in (c.RUNNING, c.PAUSED):
        raise CampaignError("camp-err-not-open", id=str(campaign.id), status=campaign.status)
    campaign.status = c.CLOSED
    campaign.closed_at = now
    dropped = await deliveries.fail_outstanding(session, campaign.id)
    await session.flush()
    await hook_events.campaign_closed(session, campaign.id)
    return dropped


async def cancel(session: AsyncSession, campaign: Campaign) -> None:
    """Drop a draft."""
    if campaign.status != c.DRAFT:
        raise CampaignError("camp-err-not-draft", id=str(campaign.id), status=campaign.status)
    campaign.status = c.CANCELLED
    await session.flush()


async def set_progress_message(
    session: AsyncSession, campaign_id: int, chat_id: int, message_id: int
) -> None:
    """Remember where the launch's progress bar lives."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is not None:
        campaign.progress_chat_id = chat_id
        campaign.progress_message_id = message_id
        await session.flush()


async def due_to_close(session: AsyncSession, now: datetime) -> list[int]:
    """Open campaigns whose closes_at has passed."""
    rows = await session.scalars(
        select(Campaign.id).where(
            Campaign.status.in_((c.RUNNING, c.PAUSED)),
            Campaign.kind != c.ONGOING,
            Campaign.closes_at.is_not(None),
            Campaign.closes_at <= now,
        )
    )
    return list(rows.all())


async def running_ids(session: AsyncSession) -> list[int]:
    """Running campaigns (not the ongoing feedback one)."""
    rows = await session.scalars(
        select(Campaign.id).where(Campaign.status == c.RUNNING, Campaign.kind != c.ONGOING)
    )
    return list(rows.all())


def period_key(now: datetime, tz: ZoneInfo) -> str:
    """Quarter of ``now`` in the configured zone, e.g. "2027Q1"."""
    local = now.astimezone(tz)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


async def create_for_period(session: AsyncSession, key: str, title: str) -> Campaign | None:
    """The quarterly draft for ``key``, or None when that period already has its campaign."""
    if await session.scalar(select(Campaign.id).where(Campaign.period_key == key)) is not None:
        return None
    try:
        return await create_draft(session, title, kind=c.QUARTERLY, period_key=key)
    except IntegrityError:  # created by a concurrent run between our check and insert
        await session.rollback()
        return None


@dataclass(frozen=True, slots=True)
class CampaignStats:
    """One line of /campaigns."""

    id: int
    title: str
    status: str
    kind: str
    counts: Counts
    responded: int
    nps: float | None

    @property
    def response_rate(self) -> float | None:
        """Responded / delivered (sent); blocked and failed are not in the denominator."""
        return self.responded / self.counts.sent if self.counts.sent else None


async def stats(session: AsyncSession, campaign_ids: list[int]) -> dict[int, CampaignStats]:
    """Delivery counts, responses and NPS of the given campaigns."""
    found = (await session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))).all()
    counts = await deliveries.counts(session, campaign_ids)
    nps = await nps_by_campaign(session, campaign_ids)
    return {
        x.id: CampaignStats(x.id, x.title, x.status, x.kind, counts[x.id], nps[x.id].n, nps[x.id].nps)
        for x in found
    }


async def list_stats(session: AsyncSession, limit: int = 30) -> list[CampaignStats]:
    """Newest managed campaigns with their figures."""
    ids = list(
        (
            await session.scalars(
                select(Campaign.id)
                .where(Campaign.kind != c.ONGOING)
                .order_by(Campaign.id.desc())
                .limit(limit)
            )
        ).all()
    )
    by_id = await stats(session, ids)
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True, slots=True)
class ProgressTarget:
    """Where a campaign's launch progress is shown, and what it is called."""

    campaign_id: int
    title: str
    status: str
    chat_id: int | None
    message_id: int | None


async def progress_targets(session: AsyncSession, campaign_ids: list[int]) -> dict[int, ProgressTarget]:
    """Title, status and progress message of the given campaigns."""
    if not campaign_ids:
        return {}
    rows = await session.execute(
        select(
            Campaign.id,
            Campaign.title,
            Campaign.status,
            Campaign.progress_chat_id,
            Campaign.progress_message_id,
        ).where(Campaign.id.in_(campaign_ids))
    )
    return {int(r[0]): ProgressTarget(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows.all()}

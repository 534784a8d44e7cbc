"""Which campaigns a figure is about: the regular series, "previous", calendar quarters.

Definitions used by every report (also in the README section "How the figures are defined"):

* **Regular campaigns** are the invited rounds (``manual`` and ``quarterly``) that have been
  launched. The always-open ``ongoing`` feedback campaign is not a round: its answers are
  self-selected (a partner writes when something happened) and have no invitation denominator,
  so they are reported on their own and never mixed into the trend, the quarter figures or the
  current NPS. They still raise detractor alerts and feed comment themes and quotes of their
  own campaign report.
* **Waves and series.** Only a campaign that asked the whole program (no ``segment=``, no
  ``sample=``) makes the headline: the current NPS, "previous", the trend and the quarters. A
  pilot (``sample=``) and the launch that follows it are one wave: the launch records its pilots
  (``campaigns.wave_id``), does not invite their audience again, and its figure pools the pilots'
  answers with its own. A segment-only campaign has its own series (campaigns of the same
  segments); a pilot is reported on its own, never as anybody's previous figure.
* **Current NPS** is the NPS of the latest program-wide wave that has answers (the running one
  once answers come in, otherwise the last closed one); with none, the latest campaign with
  answers, on its own.
* **Previous campaign** is the campaign of the same series launched just before (launched_at, then id).
* **Quarter** is the calendar quarter, in ``TIMEZONE``, in which a regular campaign was
  launched; a quarter's figure pools the answers of the regular campaigns launched in it. The
  launch date is used rather than each answer's date so that a quarterly round that runs over
  a quarter boundary is still one quarter, and so that quarter figures come from the per-campaign
  aggregates the trend already needs (no extra scan of the answers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, Response
from storage.models import campaign as c


@dataclass(frozen=True, slots=True)
class CampaignInfo:
    """The few campaign fields reports need (no ORM object survives the session)."""

    id: int
    title: str
    kind: str
    status: str
    launched_at: datetime | None
    closed_at: datetime | None
    segments: str | None = None
    sample: str | None = None
    pilots: tuple[int, ...] = ()  # the pilots whose wave this campaign completed

    @property
    def regular(self) -> bool:
        """True for invited rounds; False for the ongoing feedback campaign."""
        return self.kind != c.ONGOING

    @property
    def program_wide(self) -> bool:
        """An invited round that asked the whole program (no segment, no sample)."""
        return self.regular and not self.sample and not self.segments

    @property
    def wave(self) -> tuple[int, ...]:
        """Campaigns whose answers make this campaign's figure: itself and its pilots."""
        return (self.id, *self.pilots)


def segments_key(segments: str | None) -> tuple[str, ...]:
    """Stored comma-joined segments as a comparable key (case and order do not matter)."""
    return tuple(sorted({s.strip().lower() for s in (segments or "").split(",") if s.strip()}))


def _info(row: Campaign, pilots: tuple[int, ...] = ()) -> CampaignInfo:
    return CampaignInfo(
        row.id,
        row.title,
        row.kind,
        row.status,
        row.launched_at,
        row.closed_at,
        row.segments,
        row.sample,
        pilots,
    )


async def campaign_info(session: AsyncSession, campaign_id: int) -> CampaignInfo | None:
    """One campaign (with its wave's pilots), or None."""
    row = await session.get(Campaign, campaign_id)
    if row is None:
        return None
    pilots = await session.scalars(
        select(Campaign.id).where(Campaign.wave_id == row.id).order_by(Campaign.id)
    )
    return _info(row, tuple(pilots.all()))


async def regular_campaigns(session: AsyncSession) -> list[CampaignInfo]:
    """Launched regular campaigns, oldest first (cancelled ones included only if they have answers)."""
    answered = exists().where(Response.campaign_id == Campaign.id)
    rows = await session.scalars(
        select(Campaign)
        .where(
            Campaign.kind != c.ONGOING,
            Campaign.launched_at.is_not(None),
            (Campaign.status != c.CANCELLED) | answered,
        )
        .order_by(Campaign.launched_at, Campaign.id)
    )
    found = list(rows)
    pilots: dict[int, list[int]] = {}
    for row in found:
        if row.wave_id is not None:
            pilots.setdefault(row.wave_id, []).append(row.id)
    return [_info(row, tuple(pilots.get(row.id, ()))) for row in found]


def series_of(series: Sequence[CampaignInfo], campaign: CampaignInfo) -> list[CampaignInfo]:
    """The campaigns ``campaign`` is compared with, oldest first, itself included: program-wide
    waves for a program-wide one, the same segments' campaigns for a segment-only one, only
    itself for a pilot (and nothing for the ongoing feedback)."""
    if not campaign.regular:
        return []
    if campaign.sample:
        return [s for s in series if s.id == campaign.id] or [campaign]
    key = segments_key(campaign.segments)
    return [s for s in series if not s.sample and segments_key(s.segments) == key]


async def ongoing_campaign_id(session: AsyncSession) -> int | None:
    """Id of the ongoing feedback campaign, if it exists."""
    return await session.scalar(
        select(Campaign.id).where(Campaign.kind == c.ONGOING).order_by(Campaign.id).limit(1)
    )


def previous_of(series: Sequence[CampaignInfo], campaign_id: int) -> CampaignInfo | None:
    """The regular campaign launched just before ``campaign_id`` in ``series`` (oldest first)."""
    for i, info in enumerate(series):
        if info.id == campaign_id:
            return series[i - 1] if i > 0 else None
    return None


def quarter_key(moment: datetime, tz: ZoneInfo) -> str:
    """Calendar quarter of ``moment`` in ``tz``, e.g. ``"2026Q3"``."""
    local = moment.astimezone(tz)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def previous_quarter_key(key: str) -> str:
    """The quarter before ``key`` (``"2026Q1"`` → ``"2025Q4"``)."""
    year, quarter = int(key[:4]), int(key[5:])
    return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"

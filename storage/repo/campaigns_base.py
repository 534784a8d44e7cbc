"""Campaign lookups the survey needs; campaign management lives in its own modules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, Delivery, Response
from storage.models import campaign as c
from storage.models import delivery as d
from storage.models.response import STAGE_DONE
from storage.tables import table_of

ONGOING_TITLE = "Ongoing feedback"

_C = table_of(Campaign)
_DL = table_of(Delivery)
_R = table_of(Response)
# Built once: the survey runs these on most steps.
_ONGOING = select(_C.c.id, _C.c.status).where(_C.c.kind == c.ONGOING).order_by(_C.c.id).limit(1)
_INVITATION = (
    _DL.c.kind == d.INVITATION,
    _DL.c.campaign_id == bindparam("campaign_id"),
    _DL.c.partner_id == bindparam("partner_id"),
)
# What a score needs to know of its campaign (storage/repo/responses.py reads it with the answer).
STANDING_COLUMNS = (_C.c.kind, _C.c.status, exists().where(*_INVITATION).label("invited"))
_FINISHED = select(_R.c.campaign_id).where(
    _R.c.partner_id == bindparam("partner_id"), _R.c.stage == STAGE_DONE
)
_PENDING_INVITATION = (
    select(_C.c.id)
    .join(_DL, _DL.c.campaign_id == _C.c.id)
    .where(
        _DL.c.kind == d.INVITATION,
        _DL.c.partner_id == bindparam("partner_id"),
        _C.c.status.in_(c.ANSWERABLE),
        _C.c.id.not_in(_FINISHED),
    )
    .order_by(_C.c.launched_at.desc(), _C.c.id.desc())
    .limit(1)
)


async def ensure_ongoing_campaign(session: AsyncSession) -> int:
    """Id of the always-open feedback campaign, created (or reopened) on first use."""
    found = (await session.execute(_ONGOING)).first()
    if found is not None and found[1] == c.RUNNING:
        return int(found[0])
    campaign = await session.scalar(
        select(Campaign).where(Campaign.kind == c.ONGOING).order_by(Campaign.id).limit(1)
    )
    if campaign is None:
        campaign = Campaign(title=ONGOING_TITLE, kind=c.ONGOING, status=c.RUNNING)
        session.add(campaign)
    campaign.status = c.RUNNING
    await session.flush()
    return campaign.id


@dataclass(frozen=True, slots=True)
class Standing:
    """A campaign as one partner's answer sees it."""

    kind: str
    status: str
    invited: bool  # the partner has an invitation row for it


def standing_of(row: Mapping[Any, Any]) -> Standing:
    """The :class:`Standing` in a mapped row that holds :data:`STANDING_COLUMNS` (by name)."""
    return Standing(row["kind"], row["status"], bool(row["invited"]))


async def pending_invitation(session: AsyncSession, partner_id: int) -> int | None:
    """Id of the newest running campaign the partner was invited to and has not finished."""
    found = await session.scalar(_PENDING_INVITATION, {"partner_id": partner_id})
    return int(found) if found is not None else None

"""Campaign lookups the survey needs; campaign management lives in its own modules.

The survey asks these on most updates, so they are hot statements (``storage/hot_sql``)
returning ids and plain values.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.hot_sql import HotStatement, fetch_one
from storage.models import Campaign, Delivery, Response
from storage.models import campaign as c
from storage.models import delivery as d
from storage.models.response import STAGE_DONE

ONGOING_TITLE = "Ongoing feedback"

_C = cast(Table, Campaign.__table__)
_D = cast(Table, Delivery.__table__)
_R = cast(Table, Response.__table__)
_ONGOING = HotStatement(
    select(_C.c.id, _C.c.status).where(_C.c.kind == c.ONGOING).order_by(_C.c.id).limit(1)
)
_KIND_STATUS = HotStatement(select(_C.c.kind, _C.c.status).where(_C.c.id == bindparam("cid")))
_INVITED = HotStatement(
    select(_D.c.id)
    .where(
        _D.c.kind == d.INVITATION,
        _D.c.campaign_id == bindparam("cid"),
        _D.c.partner_id == bindparam("pid"),
    )
    .limit(1)
)
# Newest running (or paused) campaign the partner was invited to and has not finished answering.
_PENDING = HotStatement(
    select(_C.c.id)
    .join(_D, _D.c.campaign_id == _C.c.id)
    .where(
        _D.c.kind == d.INVITATION,
        _D.c.partner_id == bindparam("pid"),
        or_(*(_C.c.status == status for status in c.ANSWERABLE)),  # no IN list: see hot_sql
        _C.c.id.not_in(
            select(_R.c.campaign_id).where(_R.c.partner_id == bindparam("pid"), _R.c.stage == STAGE_DONE)
        ),
    )
    .order_by(_C.c.launched_at.desc(), _C.c.id.desc())
    .limit(1)
)


async def ensure_ongoing_campaign(session: AsyncSession) -> int:
    """Id of the always-open feedback campaign, created (or reopened) on first use."""
    found = await fetch_one(session, _ONGOING)
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


async def kind_and_status(session: AsyncSession, campaign_id: int) -> tuple[str, str] | None:
    """A campaign's kind and status, or None when there is no such campaign."""
    row = await fetch_one(session, _KIND_STATUS, cid=campaign_id)
    return (row[0], row[1]) if row is not None else None


async def is_invited(session: AsyncSession, campaign_id: int, partner_id: int) -> bool:
    """True when the partner has an invitation row for the campaign."""
    return await fetch_one(session, _INVITED, cid=campaign_id, pid=partner_id) is not None


async def pending_invitation(session: AsyncSession, partner_id: int) -> int | None:
    """Id of the newest running campaign the partner was invited to and has not finished."""
    row = await fetch_one(session, _PENDING, pid=partner_id)
    return int(row[0]) if row is not None else None

"""Campaign lookups the survey needs; campaign management lives in its own modules."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, Delivery, Response
from storage.models import campaign as c
from storage.models import delivery as d
from storage.models.response import STAGE_DONE

ONGOING_TITLE = "Ongoing feedback"


async def ensure_ongoing_campaign(session: AsyncSession) -> int:
    """Id of the always-open feedback campaign, created (or reopened) on first use."""
    found = (
        await session.execute(
            select(Campaign.id, Campaign.status)
            .where(Campaign.kind == c.ONGOING)
            .order_by(Campaign.id)
            .limit(1)
        )
    ).first()
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
    row = (
        await session.execute(select(Campaign.kind, Campaign.status).where(Campaign.id == campaign_id))
    ).first()
    return (row[0], row[1]) if row is not None else None


async def is_invited(session: AsyncSession, campaign_id: int, partner_id: int) -> bool:
    """True when the partner has an invitation row for the campaign."""
    found = await session.scalar(
        select(Delivery.id)
        .where(
            Delivery.kind == d.INVITATION,
            Delivery.campaign_id == campaign_id,
            Delivery.partner_id == partner_id,
        )
        .limit(1)
    )
    return found is not None


async def pending_invitation(session: AsyncSession, partner_id: int) -> int | None:
    """Id of the newest running campaign the partner was invited to and has not finished."""
    finished = select(Response.campaign_id).where(
        Response.partner_id == partner_id, Response.stage == STAGE_DONE
    )
    found = await session.scalar(
        select(Campaign.id)
        .join(Delivery, Delivery.campaign_id == Campaign.id)
        .where(
            Delivery.kind == d.INVITATION,
            Delivery.partner_id == partner_id,
            Campaign.status.in_(c.ANSWERABLE),
            Campaign.id.not_in(finished),
        )
        .order_by(Campaign.launched_at.desc(), Campaign.id.desc())
        .limit(1)
    )
    return int(found) if found is not None else None

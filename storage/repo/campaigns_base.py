"""Campaign lookups the survey needs; campaign management lives in its own modules."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, Delivery, Response
from storage.models import campaign as c
from storage.models import delivery as d
from storage.models.response import STAGE_DONE

ONGOING_TITLE = "Ongoing feedback"


async def ensure_ongoing_campaign(session: AsyncSession) -> Campaign:
    """The always-open feedback campaign, created on first use."""
    found = await session.scalar(
        select(Campaign).where(Campaign.kind == c.ONGOING).order_by(Campaign.id).limit(1)
    )
    if found is not None:
        if found.status != c.RUNNING:
            found.status = c.RUNNING
        return found
    campaign = Campaign(title=ONGOING_TITLE, kind=c.ONGOING, status=c.RUNNING)
    session.add(campaign)
    await session.flush()
    return campaign


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    """A campaign by id."""
    return await session.get(Campaign, campaign_id)


async def is_invited(session: AsyncSession, campaign_id: int, partner_id: int) -> bool:
    """True when the partner has an invitation row for the campaign."""
    found = await session.scalar(
        select(Delivery.id).where(
            Delivery.kind == d.INVITATION,
            Delivery.campaign_id == campaign_id,
            Delivery.partner_id == partner_id,
        )
    )
    return found is not None


async def pending_invitation(session: AsyncSession, partner_id: int) -> Campaign | None:
    """Newest running campaign the partner was invited to and has not finished answering."""
    done = select(Response.campaign_id).where(Response.partner_id == partner_id, Response.stage == STAGE_DONE)
    return await session.scalar(
        select(Campaign)
        .join(Delivery, Delivery.campaign_id == Campaign.id)
        .where(
            Delivery.kind == d.INVITATION,
            Delivery.partner_id == partner_id,
            Campaign.status.in_((c.RUNNING, c.PAUSED)),
            Campaign.id.not_in(done),
        )
        .order_by(Campaign.launched_at.desc(), Campaign.id.desc())
        .limit(1)
    )

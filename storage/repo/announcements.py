"""Announcements ("you told us, we did") to the respondents of a campaign.

Only the row and the audience live here; sending goes through the rate-limited outbox
(:func:`storage.repo.delivery_queue.enqueue_announcement` and the sending engine).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Announcement, Partner, Response

MAX_TEXT = 4000  # Telegram's 4096 minus room for HTML escaping of a few characters


async def respondents(session: AsyncSession, campaign_id: int) -> list[int]:
    """Partners who answered the campaign and can still be messaged (not opted out, blocked, erased)."""
    rows = await session.scalars(
        select(Partner.id)
        .join(Response, Response.partner_id == Partner.id)
        .where(
            Response.campaign_id == campaign_id,
            Partner.telegram_id.is_not(None),
            Partner.opted_out.is_(False),
            Partner.blocked_at.is_(None),
            Partner.erased_at.is_(None),
        )
        .order_by(Partner.id)
    )
    return list(rows)


async def create(session: AsyncSession, campaign_id: int, text: str, created_by: int | None) -> Announcement:
    """Store the announcement text (sent as plain text: the sender escapes it)."""
    row = Announcement(campaign_id=campaign_id, text=text, created_by=created_by)
    session.add(row)
    await session.flush()
    return row

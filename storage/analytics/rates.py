"""Response rate and comment rate of a campaign.

Response rate = answers / invitations delivered (``deliveries`` of kind ``invitation`` with
status ``sent``; blocked and failed sends never reached anyone and are left out). It can pass
100% only when partners answered without an invitation reaching them (e.g. through /survey
while their send failed); it is shown capped at 100%. Comment rate = answers with a comment /
answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery, Response
from storage.models import delivery as d


@dataclass(frozen=True, slots=True)
class Rates:
    """Counts behind the rates."""

    delivered: int
    responded: int
    commented: int

    @property
    def response_rate(self) -> float | None:
        """Answers per delivered invitation (None without deliveries), at most 1."""
        return min(self.responded / self.delivered, 1.0) if self.delivered else None

    @property
    def comment_rate(self) -> float | None:
        """Share of answers with a comment (None without answers)."""
        return self.commented / self.responded if self.responded else None


async def rates(session: AsyncSession, campaign_id: int, responded: int) -> Rates:
    """Rates of one campaign; ``responded`` is its answer count, already known to the caller."""
    delivered = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.status == d.SENT, Delivery.kind == d.INVITATION, Delivery.campaign_id == campaign_id)
    )
    # "comment IS NOT NULL" spelled out so a partial index on commented answers can serve it.
    commented = await session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.campaign_id == campaign_id, Response.comment.is_not(None))
    )
    return Rates(int(delivered or 0), responded, int(commented or 0))

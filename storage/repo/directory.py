"""The admins' partner directory: who is reachable, by segment, and invite links.

Status of a partner, first match wins: erased; opted out; blocked the bot (a send got 403);
active (pressed /start, has a Telegram id); not started yet (imported, never pressed /start).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Partner
from storage.repo.partners import new_invite_code

ERASED = "erased"
OPTED_OUT = "opted-out"
BLOCKED = "blocked"
ACTIVE = "active"
NOT_STARTED = "not-started"
STATUSES = (ACTIVE, NOT_STARTED, OPTED_OUT, BLOCKED, ERASED)


@dataclass
class SegmentSummary:
    """Partner counts of one segment (None: no segment) by status."""

    segment: str | None
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def total(self) -> int:
        """Partners in the segment."""
        return sum(self.by_status.values())


async def summary(session: AsyncSession) -> list[SegmentSummary]:
    """Counts by segment and status, segments alphabetically, no-segment last."""
    status = case(
        (Partner.erased_at.is_not(None), ERASED),
        (Partner.opted_out.is_(True), OPTED_OUT),
        (Partner.blocked_at.is_not(None), BLOCKED),
        ((Partner.started_at.is_not(None)) & (Partner.telegram_id.is_not(None)), ACTIVE),
        else_=NOT_STARTED,
    )
    rows = await session.execute(
        select(Partner.segment, status.label("status"), func.count())
        .where(Partner.is_partner())  # admins and managers who pressed Start are not partners
        .group_by(Partner.segment, status)
    )
    segments: dict[str | None, SegmentSummary] = {}
    for segment, st, n in rows.all():
        segments.setdefault(segment, SegmentSummary(segment)).by_status[st] += int(n)
    return sorted(segments.values(), key=lambda s: (s.segment is None, (s.segment or "").lower()))


async def by_external_id(session: AsyncSession, external_id: str) -> Partner | None:
    """A partner by CRM id (erased partners have none)."""
    return await session.scalar(select(Partner).where(Partner.external_id == external_id))


async def ensure_invite_code(session: AsyncSession, partner: Partner) -> str:
    """The partner's invite code, created on first need."""
    if partner.invite_code is None:
        partner.invite_code = new_invite_code()
        await session.flush()
    return partner.invite_code


@dataclass(frozen=True, slots=True)
class InviteRow:
    """One line of the invites CSV."""

    external_id: str
    name: str | None
    segment: str | None
    code: str


async def all_invites(session: AsyncSession) -> list[InviteRow]:
    """Every imported (not erased) partner with an invite code; missing codes are created."""
    partners = (
        await session.scalars(
            select(Partner)
            .where(Partner.external_id.is_not(None), Partner.erased_at.is_(None))
            .order_by(Partner.segment, Partner.external_id)
        )
    ).all()
    missing = False
    for p in partners:
        if p.invite_code is None:
            p.invite_code = new_invite_code()
            missing = True
    if missing:
        await session.flush()
    return [InviteRow(p.external_id or "", p.name, p.segment, p.invite_code or "") for p in partners]

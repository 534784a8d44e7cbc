"""The comments behind one driver area or one comment theme of a campaign, newest first, paged.

A driver's comments are those of the answers that chose the area; a theme's are those the
digest counts under it (the person's tag when there is one, else the classifier's when it was
confident; see :func:`storage.repo.themes.theme_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.people import COLUMNS, PartnerRef
from storage.analytics.themes import CONFIDENT
from storage.models import Partner, Response, ResponseDriver
from storage.models.theme import THEME_SEPARATOR, ResponseTheme

PAGE_SIZE = 20
DRIVER = "driver"
THEME = "theme"


@dataclass(frozen=True, slots=True)
class CommentItem:
    """One comment with its score, time and author (hidden by the caller when anonymous)."""

    response_id: int
    score: int
    text: str
    answered_at: datetime
    partner: PartnerRef


@dataclass(frozen=True, slots=True)
class CommentPage:
    """A page of comments and whether an older page follows."""

    items: tuple[CommentItem, ...]
    more: bool


async def comments_about(
    session: AsyncSession, campaign_id: int, kind: str, area: str, *, page: int = 0, size: int = PAGE_SIZE
) -> CommentPage:
    """Page ``page`` (0 = newest) of the campaign's comments about ``area`` as a driver or theme."""
    if kind not in (DRIVER, THEME):
        raise ValueError(f"unknown kind {kind!r}")
    stmt = (
        select(Response.id, Response.score, Response.comment, Response.answered_at, *COLUMNS)
        .join(Partner, Partner.id == Response.partner_id)
        .where(
            Response.campaign_id == campaign_id,
            Response.comment.is_not(None),
            Partner.erased_at.is_(None),  # forgotten partners' words are shown nowhere
        )
    )
    if kind == DRIVER:
        stmt = stmt.join(
            ResponseDriver,
            and_(ResponseDriver.response_id == Response.id, ResponseDriver.campaign_id == campaign_id),
        ).where(ResponseDriver.area == area)
    else:
        shown = func.coalesce(ResponseTheme.manual, ResponseTheme.areas)
        sep = literal(THEME_SEPARATOR)
        # Keys are plain identifiers (storage/areas.py), so a LIKE on ";key;" matches one key exactly.
        stmt = stmt.join(ResponseTheme, ResponseTheme.response_id == Response.id).where(
            or_(ResponseTheme.manual.is_not(None), ResponseTheme.confidence >= CONFIDENT),
            (sep + shown + sep).contains(f"{THEME_SEPARATOR}{area}{THEME_SEPARATOR}", autoescape=True),
        )
    rows = (
        await session.execute(
            stmt.order_by(Response.answered_at.desc(), Response.id.desc()).offset(page * size).limit(size + 1)
        )
    ).all()
    items = tuple(
        CommentItem(int(r[0]), int(r[1]), str(r[2]), r[3], PartnerRef.from_row(r[4:]))
        for r in rows[:size]
        if r[2] and str(r[2]).strip()
    )
    return CommentPage(items, len(rows) > size)

"""Survey answers: one response per partner per campaign, updated in place."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.areas import AREAS, is_area
from storage.models import Response, ResponseDriver, utcnow
from storage.models.response import STAGE_COMMENT, STAGE_DONE, STAGE_DRIVERS


async def of_campaign(session: AsyncSession, campaign_id: int, partner_id: int) -> Response | None:
    """The partner's response to a campaign, if any."""
    return await session.scalar(
        select(Response).where(Response.campaign_id == campaign_id, Response.partner_id == partner_id)
    )


async def record_score(
    session: AsyncSession,
    existing: Response | None,
    campaign_id: int,
    partner_id: int,
    score: int,
    question_message_id: int | None,
) -> Response:
    """Store a score (``existing`` from :func:`of_campaign`); a second score replaces the first
    and reopens the follow-ups."""
    response = existing
    now = utcnow()
    if response is None:
        response = Response(campaign_id=campaign_id, partner_id=partner_id, score=score, answered_at=now)
        session.add(response)
    else:
        response.score = score
        response.answered_at = now
        response.completed_at = None
    response.stage = STAGE_COMMENT
    if question_message_id is not None:
        response.question_message_id = question_message_id
    await session.flush()
    return response


async def owned(session: AsyncSession, response_id: int, partner_id: int) -> Response | None:
    """The response if it belongs to the partner, else None (callback ids are never trusted)."""
    response = await session.get(Response, response_id)
    if response is None or response.partner_id != partner_id:
        return None
    return response


async def set_comment(session: AsyncSession, response: Response, comment: str | None) -> None:
    """Store (or skip) the open answer and move on to the drivers question."""
    response.comment = comment
    response.stage = STAGE_DRIVERS
    await session.flush()


# Core statements built once: the areas are read and toggled on every tap of the survey's last
# question, and nothing there needs ORM objects.
_D = cast(Table, ResponseDriver.__table__)
_AREAS = select(_D.c.area).where(_D.c.response_id == bindparam("rid"))
_ADD_AREA = insert(_D).values(response_id=bindparam("rid"), area=bindparam("a"))
_DROP_AREA = delete(_D).where(_D.c.response_id == bindparam("rid"), _D.c.area == bindparam("a"))


async def areas_of(session: AsyncSession, response_id: int) -> list[str]:
    """Driver areas chosen for a response, in AREAS order."""
    conn = await session.connection()
    chosen = set((await conn.execute(_AREAS, {"rid": response_id})).scalars().all())
    return [a for a in AREAS if a in chosen]


async def toggle_driver(session: AsyncSession, response: Response, area: str) -> list[str]:
    """Add or remove one area; returns the chosen areas."""
    if not is_area(area):
        raise ValueError(area)
    current = set(await areas_of(session, response.id))
    conn = await session.connection()
    if area in current:
        await conn.execute(_DROP_AREA, {"rid": response.id, "a": area})
        current.discard(area)
    else:
        await conn.execute(_ADD_AREA, {"rid": response.id, "a": area})
        current.add(area)
    return [a for a in AREAS if a in current]


async def complete(session: AsyncSession, response: Response) -> None:
    """Mark the survey finished."""
    response.stage = STAGE_DONE
    response.completed_at = utcnow()
    await session.flush()

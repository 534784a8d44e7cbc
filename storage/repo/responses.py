"""Survey answers: one response per partner per campaign, updated in place.

The survey works on :class:`Answer` rows (the few columns it needs), not ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.areas import active as active_areas
from storage.areas import is_area
from storage.models import Response, ResponseDriver, utcnow
from storage.models.response import STAGE_COMMENT, STAGE_DONE, STAGE_DRIVERS, category_of


@dataclass(slots=True)
class Answer:
    """The parts of a response the survey works with."""

    id: int
    campaign_id: int
    partner_id: int
    score: int
    stage: str
    question_message_id: int | None
    round: int = 0

    @property
    def category(self) -> str:
        """promoter, passive or detractor."""
        return category_of(self.score)


_COLUMNS = (
    Response.id,
    Response.campaign_id,
    Response.partner_id,
    Response.score,
    Response.stage,
    Response.question_message_id,
    Response.round,
)


async def _answer(session: AsyncSession, *where: Any) -> Answer | None:
    row = (await session.execute(select(*_COLUMNS).where(*where))).first()
    return Answer(*row) if row is not None else None


async def of_campaign(
    session: AsyncSession, campaign_id: int, partner_id: int, round_: int = 0
) -> Answer | None:
    """The partner's response to a campaign (in one round of ongoing feedback), if any."""
    return await _answer(
        session,
        Response.campaign_id == campaign_id,
        Response.partner_id == partner_id,
        Response.round == round_,
    )


async def round_of_message(
    session: AsyncSession, campaign_id: int, partner_id: int, question_message_id: int
) -> int | None:
    """The round whose question 1 is that message, if the partner answered it."""
    return await session.scalar(
        select(Response.round)
        .where(
            Response.campaign_id == campaign_id,
            Response.partner_id == partner_id,
            Response.question_message_id == question_message_id,
        )
        .order_by(Response.round.desc())
        .limit(1)
    )


async def next_round(session: AsyncSession, campaign_id: int, partner_id: int) -> int:
    """The round a new round of (ongoing) feedback gets: after every stored one."""
    last = await session.scalar(
        select(func.max(Response.round)).where(
            Response.campaign_id == campaign_id, Response.partner_id == partner_id
        )
    )
    return 0 if last is None else int(last) + 1


async def record_score(
    session: AsyncSession,
    existing: Answer | None,
    campaign_id: int,
    partner_id: int,
    score: int,
    question_message_id: int | None,
    round_: int = 0,
) -> Answer:
    """Store a score (``existing`` from :func:`of_campaign`); a second score replaces the first
    and reopens the follow-ups. A None ``question_message_id`` keeps the one known."""
    now = utcnow()
    if existing is None:
        rid = await session.scalar(
            insert(Response)
            .values(
                campaign_id=campaign_id,
                partner_id=partner_id,
                round=round_,
                score=score,
                stage=STAGE_COMMENT,
                question_message_id=question_message_id,
                answered_at=now,
                updated_at=now,
            )
            .returning(Response.id)
        )
        assert rid is not None
        return Answer(rid, campaign_id, partner_id, score, STAGE_COMMENT, question_message_id, round_)
    qid = question_message_id if question_message_id is not None else existing.question_message_id
    # A second score replaces the first and reopens the follow-ups.
    await session.execute(
        update(Response)
        .where(Response.id == existing.id)
        .values(
            score=score,
            stage=STAGE_COMMENT,
            question_message_id=qid,
            answered_at=now,
            updated_at=now,
            completed_at=None,
        )
    )
    return Answer(existing.id, campaign_id, partner_id, score, STAGE_COMMENT, qid, existing.round)


async def owned(session: AsyncSession, response_id: int, partner_id: int) -> Answer | None:
    """The response if it belongs to the partner, else None (callback ids are never trusted)."""
    return await _answer(session, Response.id == response_id, Response.partner_id == partner_id)


async def set_comment(session: AsyncSession, answer: Answer, comment: str | None) -> None:
    """Store (or skip) the open answer and move on to the drivers question."""
    await session.execute(
        update(Response)
        .where(Response.id == answer.id)
        .values(comment=comment, stage=STAGE_DRIVERS, updated_at=utcnow())
    )
    answer.stage = STAGE_DRIVERS


async def areas_of(session: AsyncSession, response_id: int) -> list[str]:
    """Driver areas chosen for a response, in the install's order (storage.areas)."""
    rows = await session.scalars(select(ResponseDriver.area).where(ResponseDriver.response_id == response_id))
    chosen = set(rows.all())
    return [a for a in active_areas() if a in chosen]


async def toggle_driver(session: AsyncSession, answer: Answer, area: str) -> list[str]:
    """Add or remove one area; returns the chosen areas."""
    if not is_area(area):
        raise ValueError(area)
    current = set(await areas_of(session, answer.id))
    if area in current:
        await session.execute(
            delete(ResponseDriver).where(ResponseDriver.response_id == answer.id, ResponseDriver.area == area)
        )
        current.discard(area)
    else:
        await session.execute(insert(ResponseDriver).values(response_id=answer.id, area=area))
        current.add(area)
    return [a for a in active_areas() if a in current]


async def complete(session: AsyncSession, answer: Answer) -> None:
    """Mark the survey finished."""
    now = utcnow()
    await session.execute(
        update(Response)
        .where(Response.id == answer.id)
        .values(stage=STAGE_DONE, updated_at=now, completed_at=now)
    )
    answer.stage = STAGE_DONE

"""Survey answers: one response per partner per campaign, updated in place.

The survey runs these on nearly every update, so they are hot statements (``storage/hot_sql``)
and hand back :class:`Answer` rows rather than ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.areas import active as active_areas
from storage.areas import is_area
from storage.hot_sql import HotStatement, execute, fetch_all, fetch_one
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

    @property
    def category(self) -> str:
        """promoter, passive or detractor."""
        return category_of(self.score)


_R = cast(Table, Response.__table__)
_D = cast(Table, ResponseDriver.__table__)
_COLUMNS = (_R.c.id, _R.c.campaign_id, _R.c.partner_id, _R.c.score, _R.c.stage, _R.c.question_message_id)
_OF_CAMPAIGN = HotStatement(
    select(*_COLUMNS).where(_R.c.campaign_id == bindparam("cid"), _R.c.partner_id == bindparam("pid"))
)
_BY_ID = HotStatement(select(*_COLUMNS).where(_R.c.id == bindparam("rid")))
_INSERT = HotStatement(
    insert(_R).values(
        campaign_id=bindparam("cid"),
        partner_id=bindparam("pid"),
        score=bindparam("score"),
        stage=STAGE_COMMENT,
        question_message_id=bindparam("qid"),
        answered_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)
# A second score replaces the first and reopens the follow-ups.
_RESCORE = HotStatement(
    update(_R)
    .where(_R.c.id == bindparam("rid"))
    .values(
        score=bindparam("score"),
        stage=STAGE_COMMENT,
        question_message_id=bindparam("qid"),
        answered_at=bindparam("now"),
        updated_at=bindparam("now"),
        completed_at=None,
    )
)
_COMMENT = HotStatement(
    update(_R)
    .where(_R.c.id == bindparam("rid"))
    .values(comment=bindparam("comment"), stage=STAGE_DRIVERS, updated_at=bindparam("now"))
)
_COMPLETE = HotStatement(
    update(_R)
    .where(_R.c.id == bindparam("rid"))
    .values(stage=STAGE_DONE, updated_at=bindparam("now"), completed_at=bindparam("now"))
)
_AREAS = HotStatement(select(_D.c.area).where(_D.c.response_id == bindparam("rid")))
_ADD_AREA = HotStatement(insert(_D).values(response_id=bindparam("rid"), area=bindparam("a")))
_DROP_AREA = HotStatement(delete(_D).where(_D.c.response_id == bindparam("rid"), _D.c.area == bindparam("a")))


async def of_campaign(session: AsyncSession, campaign_id: int, partner_id: int) -> Answer | None:
    """The partner's response to a campaign, if any."""
    row = await fetch_one(session, _OF_CAMPAIGN, cid=campaign_id, pid=partner_id)
    return Answer(*row) if row is not None else None


async def record_score(
    session: AsyncSession,
    existing: Answer | None,
    campaign_id: int,
    partner_id: int,
    score: int,
    question_message_id: int | None,
) -> Answer:
    """Store a score (``existing`` from :func:`of_campaign`); a second score replaces the first
    and reopens the follow-ups. A None ``question_message_id`` keeps the one known."""
    now = utcnow()
    if existing is None:
        rid = await execute(
            session, _INSERT, cid=campaign_id, pid=partner_id, score=score, qid=question_message_id, now=now
        )
        return Answer(rid, campaign_id, partner_id, score, STAGE_COMMENT, question_message_id)
    qid = question_message_id if question_message_id is not None else existing.question_message_id
    await execute(session, _RESCORE, rid=existing.id, score=score, qid=qid, now=now)
    return Answer(existing.id, campaign_id, partner_id, score, STAGE_COMMENT, qid)


async def owned(session: AsyncSession, response_id: int, partner_id: int) -> Answer | None:
    """The response if it belongs to the partner, else None (callback ids are never trusted)."""
    row = await fetch_one(session, _BY_ID, rid=response_id)
    if row is None:
        return None
    answer = Answer(*row)
    return answer if answer.partner_id == partner_id else None


async def set_comment(session: AsyncSession, answer: Answer, comment: str | None) -> None:
    """Store (or skip) the open answer and move on to the drivers question."""
    await execute(session, _COMMENT, rid=answer.id, comment=comment, now=utcnow())
    answer.stage = STAGE_DRIVERS


async def areas_of(session: AsyncSession, response_id: int) -> list[str]:
    """Driver areas chosen for a response, in the install's order (storage.areas)."""
    chosen = {area for (area,) in await fetch_all(session, _AREAS, rid=response_id)}
    return [a for a in active_areas() if a in chosen]


async def toggle_driver(session: AsyncSession, answer: Answer, area: str) -> list[str]:
    """Add or remove one area; returns the chosen areas."""
    if not is_area(area):
        raise ValueError(area)
    current = set(await areas_of(session, answer.id))
    if area in current:
        await execute(session, _DROP_AREA, rid=answer.id, a=area)
        current.discard(area)
    else:
        await execute(session, _ADD_AREA, rid=answer.id, a=area)
        current.add(area)
    return [a for a in active_areas() if a in current]


async def complete(session: AsyncSession, answer: Answer) -> None:
    """Mark the survey finished."""
    await execute(session, _COMPLETE, rid=answer.id, now=utcnow())
    answer.stage = STAGE_DONE

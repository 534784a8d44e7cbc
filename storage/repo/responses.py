"""Survey answers: one response per partner per campaign, updated in place.

The survey works on :class:`Answer` rows (the few columns it needs), not ORM objects; rows are
read by column name (``Result.mappings()``), never unpacked by position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, and_, bindparam, column, delete, func, insert, select, table, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Update

from storage.areas import active as active_areas
from storage.areas import is_area
from storage.models import Campaign, Partner, Response, ResponseDriver, utcnow
from storage.models.response import STAGE_COMMENT, STAGE_DONE, STAGE_DRIVERS, category_of
from storage.repo import hook_events
from storage.repo.campaigns_base import STANDING_COLUMNS, Standing, standing_of
from storage.tables import table_of


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

    @classmethod
    def of(cls, row: Mapping[Any, Any], prefix: str = "") -> Answer:
        """The answer in a mapped row of :data:`_COLUMNS` (labelled ``prefix`` + field name)."""
        return cls(**{name: row[prefix + name] for name in _FIELDS})


_R = table_of(Response)
_D = table_of(ResponseDriver)
_COLUMNS = (
    _R.c.id,
    _R.c.campaign_id,
    _R.c.partner_id,
    _R.c.score,
    _R.c.stage,
    _R.c.question_message_id,
    _R.c.round,
)
_FIELDS = tuple(c.key for c in _COLUMNS)  # the Answer's fields, named as the columns
_THEIRS = (_R.c.campaign_id == bindparam("campaign_id"), _R.c.partner_id == bindparam("partner_id"))
# The survey's statements, built once (each step runs a few of them; building costs more than
# running). UPDATEs take their SET columns from the parameters they are given.
_OF_CAMPAIGN = select(*_COLUMNS).where(*_THEIRS, _R.c.round == bindparam("round"))
# A score's reads in one statement (a tap is the hottest path): its campaign's standing and
# the partner's answer to the campaign's first round (a regular campaign's only one).
_C = table_of(Campaign)
_BEFORE_SCORE = (
    select(*STANDING_COLUMNS, *(c.label(f"answer_{c.key}") for c in _COLUMNS))
    .select_from(
        _C.outerjoin(
            _R,
            and_(_R.c.campaign_id == _C.c.id, _R.c.partner_id == bindparam("partner_id"), _R.c.round == 0),
        )
    )
    .where(_C.c.id == bindparam("campaign_id"))
)
# The response with one row per chosen area (one row with a NULL area when none).
_OWNED_WITH_AREAS = (
    select(*_COLUMNS, _D.c.area)
    .select_from(_R.outerjoin(_D, _D.c.response_id == _R.c.id))
    .where(_R.c.id == bindparam("response_id"), _R.c.partner_id == bindparam("partner_id"))
)
_ROUND_OF_MESSAGE = (
    select(_R.c.round)
    .where(*_THEIRS, _R.c.question_message_id == bindparam("question_message_id"))
    .order_by(_R.c.round.desc())
    .limit(1)
)
_LAST_ROUND = select(func.max(_R.c.round)).where(*_THEIRS)
_P = table_of(Partner)
# The partner's attributes copied into the answer when its score is stored (reports group by
# these; see storage/models/response.py), read in the same statement as the write.
SNAPSHOT = ("segment", "tier", "geo", "niche", "manager")
_SNAPSHOT_VALUES = {
    name: select(_P.c[name]).where(_P.c.id == bindparam("snapshot_of")).scalar_subquery() for name in SNAPSHOT
}
_INSERT = insert(_R).values(_SNAPSHOT_VALUES).returning(_R.c.id)
_UPDATE = update(_R).where(_R.c.id == bindparam("response_id"))
_UPDATE_SCORE = _UPDATE.values(_SNAPSHOT_VALUES)
_ADD_AREA = insert(_D)
_REMOVE_AREA = delete(_D).where(_D.c.response_id == bindparam("response_id"), _D.c.area == bindparam("area"))


async def _answer(session: AsyncSession, stmt: Any, params: dict[str, Any]) -> Answer | None:
    row = (await session.execute(stmt, params)).mappings().first()
    return Answer.of(row) if row is not None else None


async def of_campaign(
    session: AsyncSession, campaign_id: int, partner_id: int, round_: int = 0
) -> Answer | None:
    """The partner's response to a campaign (in one round of ongoing feedback), if any."""
    return await _answer(
        session, _OF_CAMPAIGN, {"campaign_id": campaign_id, "partner_id": partner_id, "round": round_}
    )


async def before_score(
    session: AsyncSession, campaign_id: int, partner_id: int
) -> tuple[Standing, Answer | None] | None:
    """The campaign's standing for this partner and the partner's answer to its first round
    (round 0, as :func:`of_campaign` gives it); None when there is no such campaign."""
    row = (
        await session.execute(_BEFORE_SCORE, {"campaign_id": campaign_id, "partner_id": partner_id})
    ).mappings().first()
    if row is None:
        return None
    answer = Answer.of(row, "answer_") if row["answer_id"] is not None else None
    return standing_of(row), answer


async def round_of_message(
    session: AsyncSession, campaign_id: int, partner_id: int, question_message_id: int
) -> int | None:
    """The round whose question 1 is that message, if the partner answered it."""
    return await session.scalar(
        _ROUND_OF_MESSAGE,
        {"campaign_id": campaign_id, "partner_id": partner_id, "question_message_id": question_message_id},
    )


async def next_round(session: AsyncSession, campaign_id: int, partner_id: int) -> int:
    """The round a new round of (ongoing) feedback gets: after every stored one."""
    last = await session.scalar(_LAST_ROUND, {"campaign_id": campaign_id, "partner_id": partner_id})
    return 0 if last is None else int(last) + 1


async def record_score(
    session: AsyncSession,
    existing: Answer | None,
    campaign_id: int,
    partner_id: int,
    score: int,
    question_message_id: int | None,
    round_: int = 0,
    stage: str = STAGE_COMMENT,
) -> Answer:
    """Store a score (``existing`` from :func:`of_campaign`); a second score replaces the first
    and reopens the follow-ups. A None ``question_message_id`` keeps the one known; ``stage``
    is the step the response waits for next (bot/survey_definition.py)."""
    now = utcnow()
    # Subscriptions read before the write: on SQLite the write holds the database's one write
    # lock until the commit, and every statement inside it keeps the other answers waiting.
    event = hook_events.RESPONSE_CREATED if existing is None else hook_events.RESPONSE_UPDATED
    endpoints = await hook_events.targets(session, event)
    if existing is None:
        rid = await session.scalar(
            _INSERT,
            {
                "campaign_id": campaign_id,
                "partner_id": partner_id,
                "snapshot_of": partner_id,
                "round": round_,
                "score": score,
                "stage": stage,
                "question_message_id": question_message_id,
                "answered_at": now,
                "updated_at": now,
            },
        )
        assert rid is not None
        await hook_events.response_event(session, event, rid, endpoints)
        return Answer(rid, campaign_id, partner_id, score, stage, question_message_id, round_)
    qid = question_message_id if question_message_id is not None else existing.question_message_id
    # A second score replaces the first and reopens the follow-ups.
    await session.execute(
        _UPDATE_SCORE,
        {
            "response_id": existing.id,
            "snapshot_of": partner_id,
            "score": score,
            "stage": stage,
            "question_message_id": qid,
            "answered_at": now,
            "updated_at": now,
            "completed_at": None,
        },
    )
    await hook_events.response_event(session, event, existing.id, endpoints)
    return Answer(existing.id, campaign_id, partner_id, score, stage, qid, existing.round)


async def owned_with_areas(
    session: AsyncSession, response_id: int, partner_id: int
) -> tuple[Answer, list[str]] | None:
    """The response if it belongs to the partner (callback ids are never trusted), with the
    driver areas chosen for it in the install's order (storage.areas); else None. One
    statement: every step after the score needs both."""
    rows = (
        await session.execute(_OWNED_WITH_AREAS, {"response_id": response_id, "partner_id": partner_id})
    ).mappings().all()
    if not rows:
        return None
    chosen = {row["area"] for row in rows}
    return Answer.of(rows[0]), [a for a in active_areas() if a in chosen]


@lru_cache(maxsize=16)
def _update_answer(answer_column: str) -> Update:
    """UPDATE of one open answer with the stage it moves to: ``answer_column`` may be a column a
    migration added after this model was written (a new question), so the statement names only
    the columns it sets, each with the model's type where the model has it."""
    known = _R.c.get(answer_column)
    target = table(
        _R.name,
        column("id", _R.c.id.type),
        column("stage", _R.c.stage.type),
        column("updated_at", _R.c.updated_at.type),
        column(answer_column, known.type if known is not None else Text()),
    )
    return update(target).where(target.c.id == bindparam("response_id"))


async def store_answer(
    session: AsyncSession, answer: Answer, answer_column: str, text: str | None, stage: str
) -> None:
    """Store (or skip: None) an open answer in ``responses.<answer_column>`` and move the
    response to ``stage`` (a comment's themes are stored first, so response.updated carries them)."""
    await session.execute(
        _update_answer(answer_column),
        {"response_id": answer.id, answer_column: text, "stage": stage, "updated_at": utcnow()},
    )
    answer.stage = stage
    await hook_events.response_event(session, hook_events.RESPONSE_UPDATED, answer.id)


async def set_comment(session: AsyncSession, answer: Answer, comment: str | None) -> None:
    """Store (or skip) the comment and move on to the areas, as the standard survey does
    (bot/survey_definition.py; its handlers call :func:`store_answer`). Fixtures and benchmarks
    write answers through this."""
    await store_answer(session, answer, "comment", comment, STAGE_DRIVERS)


async def move_on(session: AsyncSession, answer: Answer, stage: str) -> None:
    """Move the response to the step named ``stage`` (its areas are already stored)."""
    await session.execute(_UPDATE, {"response_id": answer.id, "stage": stage, "updated_at": utcnow()})
    answer.stage = stage


async def toggle_driver(session: AsyncSession, answer: Answer, chosen: list[str], area: str) -> list[str]:
    """Add or remove one area (``chosen``: the areas chosen so far); returns the chosen areas."""
    if not is_area(area):
        raise ValueError(area)
    current = set(chosen)
    if area in current:
        await session.execute(_REMOVE_AREA, {"response_id": answer.id, "area": area})
        current.discard(area)
    else:
        await session.execute(
            _ADD_AREA, {"response_id": answer.id, "area": area, "campaign_id": answer.campaign_id}
        )
        current.add(area)
    # The response changed: the read API's feed and response.updated see the new areas.
    await session.execute(_UPDATE, {"response_id": answer.id, "updated_at": utcnow()})
    await hook_events.response_event(session, hook_events.RESPONSE_UPDATED, answer.id)
    return [a for a in active_areas() if a in current]


async def complete(session: AsyncSession, answer: Answer) -> None:
    """Mark the survey finished."""
    now = utcnow()
    await session.execute(
        _UPDATE, {"response_id": answer.id, "stage": STAGE_DONE, "updated_at": now, "completed_at": now}
    )
    answer.stage = STAGE_DONE
    await hook_events.response_event(session, hook_events.RESPONSE_COMPLETED, answer.id)

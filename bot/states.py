"""FSM states of the partner's conversation, and the survey's FSM data as a typed object.

The survey's states are made from its definition (bot/survey_definition.py): ``Survey:<step>``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from aiogram.fsm.context import FSMContext

from bot.survey_definition import SURVEY

# Where the partner is in the survey (Survey:score, Survey:comment, Survey:drivers); the data
# is a SurveyData.
Survey = SURVEY.states


@dataclass(frozen=True, slots=True)
class SurveyData:
    """The survey's FSM data, typed: which campaign and round, which response, which messages.

    Stored by aiogram's FSM as a JSON object with these keys (None values left out), so rows
    written before this type existed read the same."""

    campaign_id: int = 0
    round: int = 0
    response_id: int | None = None
    question_message_id: int | None = None  # this round's question 1 (a typed score edits it)
    # The open question being asked (its Skip button goes once answered); named after the first
    # one, question 2, as stored FSM rows spell it.
    comment_message_id: int | None = None

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> SurveyData:
        """Read stored data; a missing or malformed value is the field's default."""
        values: dict[str, Any] = {}
        for name in (f.name for f in fields(cls)):
            value = raw.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                values[name] = value
        return cls(**values)

    def as_dict(self) -> dict[str, int]:
        """The JSON object stored for it."""
        return {k: v for k, v in asdict(self).items() if v is not None}


async def survey_data(state: FSMContext) -> SurveyData:
    """The survey's data of this partner."""
    return SurveyData.of(await state.get_data())


async def save_survey_data(state: FSMContext, data: SurveyData) -> None:
    """Store the survey's data (written by the update's ``uow.commit()``)."""
    await state.set_data(data.as_dict())

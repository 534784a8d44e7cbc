"""The survey's definition: the states partners mid-survey are stored in, the order of the steps
per category, and the surveys it refuses to run."""

from __future__ import annotations

import pytest
from aiogram.fsm.state import StatesGroup

from bot.i18n import LOCALES, Translator
from bot.states import Survey
from bot.survey_definition import (
    CATEGORIES,
    SURVEY,
    SurveyDefinition,
    areas_step,
    open_step,
    score_step,
)
from storage.models.response import DETRACTOR, PASSIVE, PROMOTER


def test_state_names_stay_as_stored_before() -> None:
    """FSM rows written before the survey was data name these states; they must still match."""
    states = [SURVEY.state_of(step).state for step in SURVEY]
    assert states == ["Survey:score", "Survey:comment", "Survey:drivers"]
    assert issubclass(Survey, StatesGroup) and "Survey:comment" in Survey
    assert SURVEY.at_state("Survey:drivers") is SURVEY.at_stage("drivers")
    assert SURVEY.at_state("Settings:language") is None and SURVEY.at_state(None) is None


def test_each_category_has_its_own_follow_up_then_the_areas() -> None:
    comment = SURVEY.after(SURVEY.score, PROMOTER)
    assert comment is not None and comment.column == "comment" and comment.classified
    assert {c: comment.key(c) for c in CATEGORIES} == {
        PROMOTER: "q-comment-promoter",
        PASSIVE: "q-comment-passive",
        DETRACTOR: "q-comment-improve",
    }
    drivers = SURVEY.after(comment, DETRACTOR)
    assert drivers is not None and drivers.name == "drivers"
    assert SURVEY.after(drivers, PASSIVE) is None and SURVEY.stage_after(drivers, PASSIVE) == "done"


def test_every_step_is_worded_in_every_language() -> None:
    translator = Translator()
    for step in SURVEY:
        for key in set(step.question.values()):
            assert all(translator.has(lang, key) for lang in LOCALES), key


def test_a_step_added_for_one_category_is_skipped_by_the_others() -> None:
    survey = SURVEY.with_step(
        open_step("change_first", "q-change-first", column="change_first", categories=[DETRACTOR]),
        after="comment",
    )
    comment = survey.at_stage("comment")
    assert comment is not None
    assert survey.stage_after(comment, DETRACTOR) == "change_first"
    assert survey.stage_after(comment, PROMOTER) == "drivers"
    assert "Survey:change_first" in survey.states
    assert [s.name for s in SURVEY] == ["score", "comment", "drivers"]  # the original is untouched


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [open_step("comment", "k", column="comment"), score_step()],  # the score is not first
        [score_step(), open_step("comment", "k", column="comment"), open_step("comment", "k", column="x")],
        [score_step(), open_step("comment", "k", column="comment; DROP TABLE responses")],
        [score_step(), open_step("a_name_longer_than_16", "k", column="c")],  # responses.stage is 16 wide
        [score_step(), open_step("done", "k", column="c")],
        [score_step(), areas_step("a"), areas_step("b")],
        [score_step(), open_step("comment", "k", column="comment", categories=[PROMOTER])],  # others: nothing
        [score_step(), open_step("comment", {"everyone": "k"}, column="comment")],
    ],
)
def test_a_survey_the_handlers_cannot_run_is_refused(steps: list) -> None:
    with pytest.raises(ValueError):
        SurveyDefinition(steps)

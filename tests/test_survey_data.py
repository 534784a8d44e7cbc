"""The survey's FSM data as a typed object: rows written before it existed read the same."""

from __future__ import annotations

from bot.states import SurveyData


def test_stored_rows_read_back_and_bad_values_fall_back_to_defaults() -> None:
    stored = {"campaign_id": 3, "round": 1, "response_id": 7, "question_message_id": 11}
    data = SurveyData.of(stored)
    assert data == SurveyData(campaign_id=3, round=1, response_id=7, question_message_id=11)
    assert data.as_dict() == stored  # None fields are not written
    assert SurveyData.of({"campaign_id": "3", "round": True, "response_id": None}) == SurveyData()

"""Keyboards and texts of the survey questions (also used by invitations and reminders)."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import DoneCb, DriverCb, ScoreCb, SkipCb
from bot.i18n import Translate
from bot.survey_definition import SCORE_QUESTION
from storage.areas import active as active_areas


@lru_cache(maxsize=64)  # sent twice per survey, same for everyone; aiogram's objects are frozen
def score_keyboard(campaign_id: int) -> InlineKeyboardMarkup:
    """Eleven buttons labelled exactly 0..10: 0-5 on the first row, 6-10 on the second."""
    builder = InlineKeyboardBuilder()
    for n in range(11):
        builder.button(text=str(n), callback_data=ScoreCb(campaign_id=campaign_id, score=n))
    builder.adjust(6, 5)
    return builder.as_markup()


def score_question(_: Translate) -> str:
    """Question 1 with the ends of the scale explained."""
    return _(SCORE_QUESTION)


def score_chosen(_: Translate, score: int) -> str:
    """Question 1 after a tap: shows the chosen score."""
    return _("q-score-chosen", score=score)


def skip_keyboard(_: Translate, response_id: int) -> InlineKeyboardMarkup:
    """A single Skip button under the open question."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("btn-skip"), callback_data=SkipCb(response_id=response_id))
    return builder.as_markup()


def drivers_keyboard(_: Translate, response_id: int, chosen: Collection[str]) -> InlineKeyboardMarkup:
    """Toggle buttons for every area (✓ marks the chosen), then Done, two per row."""
    builder = InlineKeyboardBuilder()
    for area in active_areas():  # this install's areas (AREAS_FILE), read at start-up
        mark = "✓ " if area in chosen else ""
        builder.button(
            text=mark + _(f"area-{area}"), callback_data=DriverCb(response_id=response_id, area=area)
        )
    builder.button(text=_("btn-done"), callback_data=DoneCb(response_id=response_id))
    builder.adjust(2)
    return builder.as_markup()

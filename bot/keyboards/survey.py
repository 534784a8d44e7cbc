"""Keyboards and texts of the survey questions (also used by invitations and reminders)."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import DoneCb, DriverCb, ScoreCb, SkipCb
from bot.i18n import Translate
from storage.areas import AREAS


@lru_cache(maxsize=64)  # sent twice per survey, same for everyone; aiogram's objects are frozen
def score_keyboard(campaign_id: int) -> InlineKeyboardMarkup:
    """Eleven buttons labelled exactly 0..10: 0-5 on the first row, 6-10 on the second."""
    buttons = [
        InlineKeyboardButton(text=str(n), callback_data=ScoreCb(campaign_id=campaign_id, score=n).pack())
        for n in range(11)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[:6], buttons[6:]])


def score_question(_: Translate) -> str:
    """Question 1 with the ends of the scale explained."""
    return _("q-score")


def score_chosen(_: Translate, score: int) -> str:
    """Question 1 after a tap: shows the chosen score."""
    return _("q-score-chosen", score=score)


def skip_keyboard(_: Translate, response_id: int) -> InlineKeyboardMarkup:
    """A single Skip button under the open question."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("btn-skip"), callback_data=SkipCb(response_id=response_id).pack())]
        ]
    )


def drivers_keyboard(_: Translate, response_id: int, chosen: Collection[str]) -> InlineKeyboardMarkup:
    """Toggle buttons for every area (✓ marks the chosen), two per row, then Done."""
    rows: list[list[InlineKeyboardButton]] = []
    for i in range(0, len(AREAS), 2):
        rows.append(
            [
                InlineKeyboardButton(
                    text=("✓ " if area in chosen else "") + _(f"area-{area}"),
                    callback_data=DriverCb(response_id=response_id, area=area).pack(),
                )
                for area in AREAS[i : i + 2]
            ]
        )
    rows.append(
        [InlineKeyboardButton(text=_("btn-done"), callback_data=DoneCb(response_id=response_id).pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)

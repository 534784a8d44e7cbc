"""Keyboards and texts of the survey questions (also used by invitations and reminders)."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import cast

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import DoneCb, ScoreCb, SkipCb, driver_data
from bot.i18n import Translate
from storage.areas import active as active_areas

# The survey's own keyboards are plain JSON (the Bot API's shape), sent by the methods in
# bot/quiet_methods.py: building them as aiogram objects (a pydantic model per button) and
# dumping those back cost five times as much (python -m tests.benchmarks.ingest).
PlainMarkup = dict[str, list[list[dict[str, str]]]]


@lru_cache(maxsize=64)  # sent twice per survey, same for everyone; aiogram's objects are frozen
def score_keyboard(campaign_id: int) -> InlineKeyboardMarkup:
    """Eleven buttons labelled exactly 0..10: 0-5 on the first row, 6-10 on the second."""
    buttons = [
        InlineKeyboardButton(text=str(n), callback_data=ScoreCb(campaign_id=campaign_id, score=n).pack())
        for n in range(11)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[:6], buttons[6:]])


@lru_cache(maxsize=64)
def score_keyboard_plain(campaign_id: int) -> PlainMarkup:
    """:func:`score_keyboard` as plain JSON (shared: never change it)."""
    return cast(PlainMarkup, score_keyboard(campaign_id).model_dump(exclude_none=True))


def score_question(_: Translate) -> str:
    """Question 1 with the ends of the scale explained."""
    return _("q-score")


def score_chosen(_: Translate, score: int) -> str:
    """Question 1 after a tap: shows the chosen score."""
    return _("q-score-chosen", score=score)


def skip_keyboard(_: Translate, response_id: int) -> PlainMarkup:
    """A single Skip button under the open question."""
    return {"inline_keyboard": [[_button(_("btn-skip"), SkipCb(response_id=response_id).pack())]]}


def drivers_keyboard(_: Translate, response_id: int, chosen: Collection[str]) -> PlainMarkup:
    """Toggle buttons for every area (✓ marks the chosen), two per row, then Done."""
    keys = active_areas()  # this install's areas (AREAS_FILE), read at start-up
    rows = [
        [
            _button(("✓ " if area in chosen else "") + _(f"area-{area}"), driver_data(response_id, area))
            for area in keys[i : i + 2]
        ]
        for i in range(0, len(keys), 2)
    ]
    rows.append([_button(_("btn-done"), DoneCb(response_id=response_id).pack())])
    return {"inline_keyboard": rows}


def _button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}

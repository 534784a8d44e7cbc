"""Buttons under a detractor alert in the managers' chat."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translate

REPLY = "r"
RESOLVE = "x"


class AlertCb(CallbackData, prefix="al"):
    """Reply to / resolve alert ``alert_id`` (a claim: handlers check it against the database)."""

    action: str
    alert_id: int


def alert_keyboard(_: Translate, alert_id: int) -> InlineKeyboardMarkup:
    """Reply and Resolved."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("al-btn-reply"), callback_data=AlertCb(action=REPLY, alert_id=alert_id).pack()
                ),
                InlineKeyboardButton(
                    text=_("al-btn-resolve"), callback_data=AlertCb(action=RESOLVE, alert_id=alert_id).pack()
                ),
            ]
        ]
    )

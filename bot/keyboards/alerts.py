"""Buttons under a detractor alert in the managers' chat."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import REPLY, RESOLVE, AlertCb
from bot.i18n import Translate


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

"""Buttons under a detractor alert in the managers' chat."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import REPLY, RESOLVE, AlertCb
from bot.i18n import Translate


def alert_keyboard(
    _: Translate, alert_id: int, dashboard: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup:
    """Reply and Resolved; below them the dashboard's alerts when it is set up."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("al-btn-reply"), callback_data=AlertCb(action=REPLY, alert_id=alert_id))
    builder.button(text=_("al-btn-resolve"), callback_data=AlertCb(action=RESOLVE, alert_id=alert_id))
    if dashboard is not None:
        builder.row(dashboard)
    return builder.as_markup()

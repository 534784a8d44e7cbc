"""Keyboards of the partner's own settings: confirmations and the language switch."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import ConfirmCb, LanguageCb
from bot.i18n import Translate


def confirm_keyboard(_: Translate, action: str) -> InlineKeyboardMarkup:
    """Yes / No for a destructive choice."""
    yes = _("btn-yes-stop") if action == "stop" else _("btn-yes-forget")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=yes, callback_data=ConfirmCb(action=action, yes=True).pack())],
            [
                InlineKeyboardButton(
                    text=_("btn-no"), callback_data=ConfirmCb(action=action, yes=False).pack()
                )
            ],
        ]
    )


def language_keyboard() -> InlineKeyboardMarkup:
    """Русский / English."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Русский", callback_data=LanguageCb(lang="ru").pack()),
                InlineKeyboardButton(text="English", callback_data=LanguageCb(lang="en").pack()),
            ]
        ]
    )

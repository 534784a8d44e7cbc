"""Keyboards of the partner's own settings: confirmations and the language switch."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ConfirmCb, LanguageCb
from bot.i18n import Translate


def confirm_keyboard(_: Translate, action: str) -> InlineKeyboardMarkup:
    """Yes / No for a destructive choice, one per row."""
    builder = InlineKeyboardBuilder()
    yes = _("btn-yes-stop") if action == "stop" else _("btn-yes-forget")
    builder.button(text=yes, callback_data=ConfirmCb(action=action, yes=True))
    builder.button(text=_("btn-no"), callback_data=ConfirmCb(action=action, yes=False))
    builder.adjust(1)
    return builder.as_markup()


def language_keyboard() -> InlineKeyboardMarkup:
    """Русский / English."""
    builder = InlineKeyboardBuilder()
    builder.button(text="Русский", callback_data=LanguageCb(lang="ru"))
    builder.button(text="English", callback_data=LanguageCb(lang="en"))
    return builder.as_markup()

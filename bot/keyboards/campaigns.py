"""Buttons under a draft campaign: Launch / Preview / Cancel."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translate

LAUNCH = "launch"
PREVIEW = "preview"
CANCEL = "cancel"
ACTIONS = (LAUNCH, PREVIEW, CANCEL)


class CampaignCb(CallbackData, prefix="cm"):
    """An action on a draft campaign; the handler re-checks the campaign and the presser."""

    action: str
    campaign_id: int


def draft_keyboard(_: Translate, campaign_id: int) -> InlineKeyboardMarkup:
    """Launch and Preview on one row, Cancel below."""

    def button(action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=_(f"btn-camp-{action}"),
            callback_data=CampaignCb(action=action, campaign_id=campaign_id).pack(),
        )

    return InlineKeyboardMarkup(inline_keyboard=[[button(LAUNCH), button(PREVIEW)], [button(CANCEL)]])

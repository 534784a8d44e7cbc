"""Buttons under a draft campaign: Launch / Preview / Cancel."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CANCEL, LAUNCH, PREVIEW, CampaignCb
from bot.i18n import Translate


def draft_keyboard(_: Translate, campaign_id: int) -> InlineKeyboardMarkup:
    """Launch and Preview on one row, Cancel below."""

    def button(action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=_(f"btn-camp-{action}"),
            callback_data=CampaignCb(action=action, campaign_id=campaign_id).pack(),
        )

    return InlineKeyboardMarkup(inline_keyboard=[[button(LAUNCH), button(PREVIEW)], [button(CANCEL)]])

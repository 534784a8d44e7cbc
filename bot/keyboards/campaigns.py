"""Buttons under a draft campaign: Launch / Preview / Cancel."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import CANCEL, LAUNCH, PREVIEW, CampaignCb
from bot.i18n import Translate


def draft_keyboard(_: Translate, campaign_id: int) -> InlineKeyboardMarkup:
    """Launch and Preview on one row, Cancel below."""
    builder = InlineKeyboardBuilder()
    for action in (LAUNCH, PREVIEW, CANCEL):
        builder.button(
            text=_(f"btn-camp-{action}"), callback_data=CampaignCb(action=action, campaign_id=campaign_id)
        )
    builder.adjust(2, 1)
    return builder.as_markup()

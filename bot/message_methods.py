"""Which Bot API calls create messages: what Telegram's flood limits count."""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.methods import TelegramMethod

# Calls that create messages: what Telegram's flood limits count.
MESSAGE_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    methods.SendMessage,
    methods.SendPhoto,
    methods.SendDocument,
    methods.SendMediaGroup,
    methods.SendAnimation,
    methods.SendAudio,
    methods.SendVideo,
    methods.SendVideoNote,
    methods.SendVoice,
    methods.SendSticker,
    methods.SendLocation,
    methods.SendVenue,
    methods.SendContact,
    methods.SendPoll,
    methods.SendDice,
    methods.CopyMessage,
    methods.CopyMessages,
    methods.ForwardMessage,
    methods.ForwardMessages,
)


def counts_against_budget(method: TelegramMethod[Any]) -> bool:
    """True for a message Telegram counts in the bot's 30/s (paid broadcasts have their own)."""
    return isinstance(method, MESSAGE_METHODS) and not getattr(method, "allow_paid_broadcast", None)

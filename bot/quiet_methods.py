"""Bot API sends and edits whose reply is not parsed.

Telegram answers a send or an edit with the whole message, and aiogram validates it into a
``Message`` (sender, chat, entities, keyboard) that the survey never reads: it needs at most the
new message's id. These methods are the same calls with the reply kept as plain JSON;
errors ("message is not modified", 403, 429) are raised exactly as for aiogram's own methods.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram.methods import EditMessageReplyMarkup, EditMessageText, Response, SendMessage
from aiogram.types import InlineKeyboardMarkup, Message

from bot.keyboards.survey import PlainMarkup

_RESPONSE = Response[Any]  # built once and kept (see bot/response_models.py)


class EditTextQuietly(EditMessageText):
    """``editMessageText``; the reply is not parsed."""

    __returning__ = Any  # type: ignore[assignment]
    reply_markup: Any = None  # aiogram's markup, or a plain one (bot/keyboards/survey.py)


class EditMarkupQuietly(EditMessageReplyMarkup):
    """``editMessageReplyMarkup``; the reply is not parsed."""

    __returning__ = Any  # type: ignore[assignment]
    reply_markup: Any = None  # aiogram's markup, or a plain one (bot/keyboards/survey.py)


class SendQuietly(SendMessage):
    """``sendMessage``; the reply is not parsed."""

    __returning__ = Any  # type: ignore[assignment]
    reply_markup: Any = None  # aiogram's markup, or a plain one (bot/keyboards/survey.py)


async def send_quietly(
    message: Message, text: str, reply_markup: PlainMarkup | InlineKeyboardMarkup | None = None
) -> int:
    """Send ``text`` (and keyboard) to the chat of ``message``; returns the new message's id."""
    assert message.bot is not None
    method = SendQuietly(chat_id=message.chat.id, text=text, reply_markup=reply_markup)  # type: ignore[call-arg]
    sent = cast(dict[str, Any], await message.bot(method))  # the JSON reply, see __returning__
    return int(sent["message_id"])

"""Bot API edits whose reply is not parsed.

Telegram answers an edit with the whole edited message, and aiogram validates it into a
``Message`` (sender, chat, entities, keyboard) that the survey never reads: it only needs to
know the edit worked. These methods are the same calls with the reply kept as plain JSON;
errors ("message is not modified", 403, 429) are raised exactly as for aiogram's own methods.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import EditMessageReplyMarkup, EditMessageText, Response

_RESPONSE = Response[Any]  # built once and kept (see bot/response_models.py)


class EditTextQuietly(EditMessageText):
    """``editMessageText``; the reply is not parsed."""

    __returning__ = Any  # type: ignore[assignment]


class EditMarkupQuietly(EditMessageReplyMarkup):
    """``editMessageReplyMarkup``; the reply is not parsed."""

    __returning__ = Any  # type: ignore[assignment]

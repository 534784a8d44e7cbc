"""Send HTML that may be longer than one Telegram message, whole, in as many parts as it takes.

User text is escaped before it is measured (500 ``&`` become 2,500 characters of ``&amp;``), and
parts are cut by :func:`bot.digest.split.split_html`, which never cuts inside an entity or a
tag, so every part is valid HTML within Telegram's 4,096 characters.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import Message, ReplyParameters

from bot.digest.split import TELEGRAM_LIMIT, split_html

MAX_FLOOD_WAIT = 5  # seconds; a longer flood wait fails the part (the caller says so)


@dataclass(frozen=True, slots=True)
class Sent:
    """How many parts went out of how many, and the error that stopped the rest."""

    sent: int
    total: int
    error: TelegramAPIError | None = None
    message_ids: tuple[int, ...] = ()  # of the parts that went out (an erasure edits them)

    @property
    def complete(self) -> bool:
        return self.sent == self.total


async def send_long(
    bot: Bot, chat_id: int, html_text: str, *, reply_to: int | None = None, limit: int = TELEGRAM_LIMIT
) -> Sent:
    """Send ``html_text`` in parts; the first part replies to ``reply_to`` when given.

    Stops at the first part Telegram refuses, so the caller can say exactly what arrived.
    """
    parts = split_html(html_text, limit)
    ids: list[int] = []
    for index, part in enumerate(parts):
        reply = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to is not None and index == 0
            else None
        )
        try:
            ids.append(await _send(bot, chat_id, part, reply))
        except TelegramAPIError as exc:
            return Sent(index, len(parts), exc, tuple(ids))
    return Sent(len(parts), len(parts), message_ids=tuple(ids))


async def _send(bot: Bot, chat_id: int, text: str, reply: ReplyParameters | None) -> int:
    """One part (its message id); a short flood wait (parts follow each other within a second)
    is waited out once."""
    try:
        sent = await bot.send_message(chat_id, text, reply_parameters=reply)
    except TelegramRetryAfter as exc:
        if exc.retry_after > MAX_FLOOD_WAIT:
            raise
        await asyncio.sleep(exc.retry_after)
        sent = await bot.send_message(chat_id, text, reply_parameters=reply)
    return sent.message_id


async def answer_long(message: Message, html_text: str) -> Sent:
    """:func:`send_long` into the chat ``message`` came from."""
    assert message.bot is not None
    return await send_long(message.bot, message.chat.id, html_text)

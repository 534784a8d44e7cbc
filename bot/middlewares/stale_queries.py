"""Button presses Telegram no longer lets the bot answer, on every button in one place.

A callback query must be answered within about 15 s; after a restart (or a long outage) the
queued presses arrive too late and ``answerCallbackQuery`` fails with 400 "query is too old and
response timeout expired or query ID is invalid". The press itself is still worth handling (the
partner's score, the manager's Resolved): only the spinner can no longer be stopped. So that
error is logged and treated as answered, and the handler goes on to do what the button asks.
"""

from __future__ import annotations

import logging
from typing import cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

TOO_OLD = "query is too old"


def is_too_old(exc: TelegramBadRequest) -> bool:
    """Telegram's answer to a callback query answered too late (or twice)."""
    return TOO_OLD in exc.message.lower()


class StaleQueries(BaseRequestMiddleware):
    """See module docstring."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as exc:
            if not isinstance(method, AnswerCallbackQuery) or not is_too_old(exc):
                raise
            log.info("Button press %s answered too late; handling it anyway", method.callback_query_id)
            return cast("Response[TelegramType]", Response[bool](ok=True, result=True))

"""Policy for every call the bot makes to Telegram.

- Commit the update's open transaction first (with its journal mark, see bot/middlewares/db.py):
  nothing holds the database while we wait on the network, and what the partner answered is
  durable before we reply.
- Inside an update, wait out a 429 and retry (replies to a partner must not be dropped); bulk
  sending has its own global pause and gets the error.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.middlewares.db import commit_update
from storage.session_context import current_session

log = logging.getLogger(__name__)

MAX_REPLY_RETRIES = 5
MAX_REPLY_WAIT = 30


class CommitBeforeSend(BaseRequestMiddleware):
    """See module docstring."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        session = current_session.get()
        if session is not None and session.in_transaction():
            await commit_update(session)
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                attempt += 1
                if session is None or attempt > MAX_REPLY_RETRIES or exc.retry_after > MAX_REPLY_WAIT:
                    raise
                log.info("429 on %s, retrying in %s s", type(method).__name__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)

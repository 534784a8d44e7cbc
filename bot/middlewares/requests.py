"""Policy for every call the bot makes to Telegram.

- A handler commits its unit of work explicitly before it replies (``await uow.commit()``,
  storage/unit_of_work.py). The commit here is only a guard: a call made with work still open
  commits it first, so nothing holds the database while we wait on the network and no answer is
  ever behind its reply. When that open work holds writes, the handler forgot its commit: the
  guard still commits (no answer may be lost) and logs a warning naming the call, on which the
  test suite fails. An open read, or the journal mark of a read-only handler, is committed
  without a word. The guard finds the update's unit of work in :data:`current_uow` (below).
- A call that creates a message takes a slot of the bot's send budget first (bot/send_budget.py):
  replies before bulk, within the ~30 messages/s Telegram allows the token across all processes,
  bulk at SEND_RATE (paid broadcasts too, which Telegram counts apart). This is the only place
  messages are paced.
  A reply that waits longer than a moment is written on its update's journal row for the wait
  (bot/held_replies.py), so a process killed meanwhile does not lose it.
- No handling permit is held across a call (nor its wait for a slot): the permit is a share of
  this process's CPU and database, and a call waits on Telegram, so the next update gets the
  permit meanwhile. A few permits then keep the database busy without crowding the event loop,
  whatever Telegram's round trip is.
- A 429 pauses the whole budget for its retry_after. The call is retried after it (a reply to a
  partner, a digest or an alert in the managers' chat must not be dropped: a group takes only a
  few messages at once); bulk sending gets the error and retries the row itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot import held_replies
from bot.held_replies import HOLD_AFTER
from bot.message_methods import MESSAGE_METHODS, counts_against_budget
from bot.send_budget import BULK, PERMIT, SendBudget
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_REPLY_RETRIES = 5
MAX_REPLY_WAIT = 30
RETRY_AFTER_MARGIN = 0.2  # seconds added to retry_after: Telegram rounds it to whole seconds
UNCOMMITTED_WARNING = "%s sent before the handler committed its work; call uow.commit() first"

# The unit of work of the update being handled, set by DbSessionMiddleware (bot/middlewares/db.py)
# for this middleware alone: aiogram calls a Bot-session middleware with the bot and the method
# only, no handler data, so this is the guard's only way to the update's work. No handler, filter
# or storage reads it: they get ``uow`` (and ``state``, bound to it) as arguments.
current_uow: ContextVar[UnitOfWork | None] = ContextVar("current_uow", default=None)


class CommitBeforeSend(BaseRequestMiddleware):
    """See module docstring; without a budget (tests of other parts) nothing is paced."""

    def __init__(self, budget: SendBudget | None = None) -> None:
        self.budget = budget

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        uow = current_uow.get()
        if uow is not None and uow.has_pending():
            if uow.has_writes():
                log.warning(UNCOMMITTED_WARNING, type(method).__name__)
            await uow.commit()
        try:
            response = await self._send(make_request, bot, method)
        except asyncio.CancelledError:
            raise  # a stopping process: a held reply stays for whoever takes the row over
        except BaseException:
            await self._release(method)  # Telegram refused it, or it failed for good
            raise
        await self._release(method)
        return response

    async def _send(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        shared = counts_against_budget(method)  # one of the token's ~30 messages a second
        bulk = BULK.get() and isinstance(method, MESSAGE_METHODS)
        paced = self.budget is not None and (shared or bulk)
        attempt = 0
        while True:
            try:
                if paced:
                    return await self._paced(make_request, bot, method, shared=shared)
                return await _without_permit(make_request(bot, method))
            except TelegramRetryAfter as exc:
                if paced and self.budget is not None:
                    await self.budget.pause(exc.retry_after + RETRY_AFTER_MARGIN, shared=shared)
                attempt += 1
                if BULK.get() or attempt > MAX_REPLY_RETRIES or exc.retry_after > MAX_REPLY_WAIT:
                    raise
                log.info("429 on %s, retrying in %s s", type(method).__name__, exc.retry_after)
                if not paced:  # a paced retry waits in the budget's line, behind the pause
                    await asyncio.sleep(exc.retry_after)

    async def _paced(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        *,
        shared: bool,
    ) -> Response[TelegramType]:
        """Take a slot, wait for it and send. A long wait is survived by the reply written on
        the update's journal row."""
        assert self.budget is not None
        if BULK.get():
            delay = await self.budget.bulk_delay(shared=shared)
        else:
            delay = await self.budget.reply_delay()
        await self._hold(method, delay)

        async def wait_and_send() -> Response[TelegramType]:
            if delay > 0:
                await asyncio.sleep(delay)
            return await make_request(bot, method)

        return await _without_permit(wait_and_send())

    @staticmethod
    async def _hold(method: TelegramMethod[Any], delay: float) -> None:
        """A reply that waits long is written on its update's journal row (bot/held_replies.py)
        before the wait, unless the row already holds one (the reply the update declared)."""
        uow = current_uow.get()
        if BULK.get() or delay <= HOLD_AFTER or uow is None:
            return
        if held_replies.expect(uow, method):
            await uow.commit()

    @staticmethod
    async def _release(method: TelegramMethod[Any]) -> None:
        """The held reply is out or was refused: cleared with the update's next commit (its
        end, or before its next call). A handler failing before that is parked, which clears it too."""
        uow = current_uow.get()
        if uow is not None:
            held_replies.sent(uow, method)


async def _without_permit(call: Awaitable[T]) -> T:
    """Await ``call`` with the handler's permit given back meanwhile (module docstring)."""
    permit = PERMIT.get()
    return await (permit.idle(call) if permit is not None else call)

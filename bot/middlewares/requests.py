"""Policy for every call the bot makes to Telegram.

- A handler commits its unit of work explicitly before it replies (``await uow.commit()``,
  storage/unit_of_work.py). The commit here is only a guard: a call made with work still open
  commits it first, so nothing holds the database while we wait on the network and no answer is
  ever behind its reply. When that open work holds writes, the handler forgot its commit: the
  guard still commits (no answer may be lost) and logs a warning naming the call, on which the
  test suite fails. An open read, or the journal mark of a read-only handler, is committed
  without a word. The guard finds the update's unit of work in :data:`current_update` (below).
- A call that creates a message takes a slot of the bot's send budget first (bot/send_budget.py):
  replies before bulk (the bulk sender has a Bot of its own, made with ``bulk=True``), within
  the ~30 messages/s Telegram allows the token across all processes, bulk at SEND_RATE (paid
  broadcasts too, which Telegram counts apart). This is the only place messages are paced.
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
from dataclasses import dataclass
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot import held_replies
from bot.held_replies import HOLD_AFTER
from bot.message_methods import MESSAGE_METHODS, counts_against_budget
from bot.send_budget import HandlingPermit, SendBudget
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_REPLY_RETRIES = 5
MAX_REPLY_WAIT = 30
RETRY_AFTER_MARGIN = 0.2  # seconds added to retry_after: Telegram rounds it to whole seconds
UNCOMMITTED_WARNING = "%s sent before the handler committed its work; call uow.commit() first"


@dataclass(frozen=True)
class UpdateScope:
    """What this middleware needs of the update being handled."""

    uow: UnitOfWork  # committed before a call (the guard), holds a reply that waits (held_replies)
    permit: HandlingPermit | None  # given back during a call (the polling receiver's, else None)


# The update being handled, set by DbSessionMiddleware (bot/middlewares/db.py) for this
# middleware alone: aiogram calls a Bot-session middleware with the bot and the method only, no
# handler data, so this is its only way to the update. No handler, filter or storage reads it:
# they get ``uow`` (and ``state``, bound to it) as arguments. The bot's one context variable.
current_update: ContextVar[UpdateScope | None] = ContextVar("current_update", default=None)


class CommitBeforeSend(BaseRequestMiddleware):
    """See module docstring; without a budget (tests of other parts) nothing is paced.

    ``bulk``: this Bot is the bulk sender's (bot/sending/engine.py): its messages take a slot
    only when the line is free, and a 429 goes back to the sender, which retries the row."""

    def __init__(self, budget: SendBudget | None = None, *, bulk: bool = False) -> None:
        self.budget = budget
        self.bulk = bulk

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        scope = current_update.get()
        uow = scope.uow if scope is not None else None
        if uow is not None and uow.has_pending():
            if uow.has_writes():
                log.warning(UNCOMMITTED_WARNING, type(method).__name__)
            await uow.commit()
        try:
            response = await self._send(make_request, bot, method, scope)
        except asyncio.CancelledError:
            raise  # a stopping process: a held reply stays for whoever takes the row over
        except BaseException:
            _release(uow, method)  # Telegram refused it, or it failed for good
            raise
        _release(uow, method)
        return response

    async def _send(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        scope: UpdateScope | None,
    ) -> Response[TelegramType]:
        shared = counts_against_budget(method)  # one of the token's ~30 messages a second
        bulk = self.bulk and isinstance(method, MESSAGE_METHODS)
        paced = self.budget is not None and (shared or bulk)
        permit = scope.permit if scope is not None else None
        attempt = 0
        while True:
            try:
                if paced:
                    return await self._paced(make_request, bot, method, scope, shared=shared)
                return await _without(permit, make_request(bot, method))
            except TelegramRetryAfter as exc:
                if paced and self.budget is not None:
                    await self.budget.pause(exc.retry_after + RETRY_AFTER_MARGIN, shared=shared)
                attempt += 1
                if self.bulk or attempt > MAX_REPLY_RETRIES or exc.retry_after > MAX_REPLY_WAIT:
                    raise
                log.info("429 on %s, retrying in %s s", type(method).__name__, exc.retry_after)
                if not paced:  # a paced retry waits in the budget's line, behind the pause
                    await asyncio.sleep(exc.retry_after)

    async def _paced(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        scope: UpdateScope | None,
        *,
        shared: bool,
    ) -> Response[TelegramType]:
        """Take a slot, wait for it and send. A long wait is survived by the reply written on
        the update's journal row."""
        assert self.budget is not None
        if self.bulk:
            delay = await self.budget.bulk_delay(shared=shared)
        else:
            delay = await self.budget.reply_delay()
            if delay > HOLD_AFTER and scope is not None:
                await _hold(scope.uow, method)

        async def wait_and_send() -> Response[TelegramType]:
            if delay > 0:
                await asyncio.sleep(delay)
            return await make_request(bot, method)

        return await _without(scope.permit if scope is not None else None, wait_and_send())


async def _hold(uow: UnitOfWork, method: TelegramMethod[Any]) -> None:
    """A reply that waits long is written on its update's journal row (bot/held_replies.py)
    before the wait, unless the row already holds one (the reply the update declared)."""
    if held_replies.expect(uow, method):
        await uow.commit()


def _release(uow: UnitOfWork | None, method: TelegramMethod[Any]) -> None:
    """The held reply is out or was refused: cleared with the update's next commit (its end, or
    before its next call). A handler failing before that is parked, which clears it too."""
    if uow is not None:
        held_replies.sent(uow, method)


async def _without(permit: HandlingPermit | None, call: Awaitable[T]) -> T:
    """Await ``call`` with the handler's permit given back meanwhile (module docstring)."""
    return await (permit.idle(call) if permit is not None else call)

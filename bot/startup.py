"""Reaching Telegram: retry with backoff while it is unreachable, stop at once on a rejected token.

Both start-up (``getMe``) and polling (``getUpdates``) go through :class:`Backoff` and
:func:`describe`, so a proxy's HTML 502 page, a dropped connection and a 5xx are all one log
line and the same doubling delay, never a traceback or an exit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import User

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")

TOKEN_REJECTED = "BOT_TOKEN was rejected by Telegram (401)"


class TokenRejected(Exception):
    """Telegram answered 401: retrying cannot help, the process exits with code 2."""

    def __init__(self) -> None:
        super().__init__(TOKEN_REJECTED)


class StartupAborted(Exception):
    """Asked to stop before Telegram could be reached."""


class Backoff:
    """Doubling delay between attempts: ``first``, 2×, 4×… up to ``maximum``; reset on success."""

    def __init__(self, first: float = 0.5, maximum: float = 10.0) -> None:
        self.first = first
        self.maximum = maximum
        self.delay = first

    def next(self) -> float:
        """The delay to wait now; the following one doubles."""
        delay = self.delay
        self.delay = min(delay * 2, self.maximum)
        return delay

    def reset(self) -> None:
        """Back to the first delay after a success."""
        self.delay = self.first


def describe(exc: BaseException) -> str:
    """One short line for a failed request (an HTML error page is not printed whole)."""
    if isinstance(exc, ClientDecodeError):
        return "unreadable reply from the Bot API server"
    if isinstance(exc, TelegramConflictError):
        return "conflict: another instance is polling with this token, or a webhook is set"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}"


def retry_delay(exc: BaseException, backoff: Backoff) -> float:
    """How long to wait after ``exc``: Telegram's own figure for a flood error, else the backoff."""
    if isinstance(exc, TelegramRetryAfter):
        return float(exc.retry_after)
    return backoff.next()


async def connect(bot: Bot, backoff: Backoff, sleep: Sleep, stopped: asyncio.Event) -> User:
    """``getMe`` until it succeeds: one warning line per failed attempt, no traceback."""
    what = "Telegram not reachable (check the network, or TELEGRAM_API_URL if you use a Bot API proxy)"
    return await until_done(bot.me, what, backoff, sleep, stopped)


async def until_done(
    call: Callable[[], Awaitable[T]],
    what: str,
    backoff: Backoff,
    sleep: Sleep,
    stopped: asyncio.Event,
    *,
    fatal: tuple[type[AiogramError], ...] = (),
) -> T:
    """``call()`` until Telegram accepts it (start-up calls: getMe, deleteWebhook, setWebhook).

    One warning line per failed attempt, no traceback; a rejected token ends start-up at once,
    and so do the ``fatal`` errors (a 400 for a webhook call: its settings are wrong, waiting
    will not mend them)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            result = await call()
        except TelegramUnauthorizedError:
            raise TokenRejected() from None
        except AiogramError as exc:  # network, 5xx, unreadable reply, flood control
            if isinstance(exc, fatal):
                raise
            delay = retry_delay(exc, backoff)
            reason = describe(exc)
            log.warning("%s (attempt %d, %s); retrying in %.1f s", what, attempt, reason, delay)
            await sleep(delay)
            if stopped.is_set():
                raise StartupAborted() from None
            continue
        backoff.reset()
        return result

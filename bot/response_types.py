"""Keep aiogram's reply classes for the calls the bot makes alive for the life of the process.

aiogram parses every Bot API reply with pydantic's ``Response[T]``, T being the method's result
type. Pydantic caches such generic classes only weakly: once a garbage collection frees one, the
next reply builds it again, about 9 ms of CPU for ``Response[Message | bool]``. Under a burst of
taps (``python -m tests.benchmarks.burst``, profiled with ``py-spy record --gil``) those rebuilds
were 6-7 % of the bot's CPU. Holding the classes here, built with the same public expressions
aiogram uses, turns every later ``Response[T]`` into a cache hit.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import Response
from aiogram.types import (
    BotCommand,
    ChatFullInfo,
    File,
    Message,
    MessageId,
    ResultChatMemberUnion,
    ResultMenuButtonUnion,
    Update,
    User,
    WebhookInfo,
)

# Result types of the methods this bot calls (sendMessage, editMessageText, answerCallbackQuery,
# getUpdates, getChatMember, getMe, setMyCommands, ...), as aiogram's methods declare them.
RESULT_TYPES: tuple[Any, ...] = (
    Message,
    Message | bool,
    bool,
    list[Update],
    ResultChatMemberUnion,
    User,
    ChatFullInfo,
    MessageId,
    File,
    WebhookInfo,
    ResultMenuButtonUnion,
    list[BotCommand],
)

_PINNED: list[type[Any]] = []


def pin_reply_classes() -> int:
    """Build and hold ``Response[T]`` for each of :data:`RESULT_TYPES` (once); how many."""
    if not _PINNED:
        _PINNED.extend(Response[t] for t in RESULT_TYPES)  # type: ignore[valid-type]
    return len(_PINNED)

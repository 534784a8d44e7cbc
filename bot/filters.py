"""Who may do what, and what a message holds.

All filters here are async on purpose: aiogram runs a synchronous filter (a bare ``State``,
a magic ``F`` rule) in a worker thread, a thread hop per handler it is checked for.
"""

from __future__ import annotations

import re

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.managers_chat import effective_id


class IsAdmin(Filter):
    """Passes only for users listed in ADMIN_IDS."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        return user is not None and settings.is_admin(user.id)


class IsManager(Filter):
    """Admins, and anyone acting inside the managers' chat."""

    async def __call__(
        self, event: Message | CallbackQuery, settings: Settings, session: AsyncSession | None = None
    ) -> bool:
        user = event.from_user
        if user is not None and settings.is_admin(user.id):
            return True
        chat = event.chat if isinstance(event, Message) else (event.message.chat if event.message else None)
        if chat is None or settings.manager_chat_id is None:
            return False
        if chat.id == settings.manager_chat_id:
            return True
        # The managers' chat may have become a supergroup since (bot/managers_chat.py).
        if chat.type != "supergroup" or session is None:
            return False
        return chat.id == await effective_id(session, settings)


class PrivateChat(Filter):
    """Partner conversations happen in private chats only."""

    async def __call__(self, event: Message | CallbackQuery) -> bool:
        chat = event.chat if isinstance(event, Message) else (event.message.chat if event.message else None)
        return chat is not None and chat.type == "private"


def message_text(message: Message) -> str | None:
    """What a partner or manager wrote: the text, or the caption of a photo or document sent as
    the answer (people attach a screenshot and write beside it)."""
    return message.text if message.text is not None else message.caption


class HasText(Filter):
    """A message with text, or a photo/document with a caption (see :func:`message_text`)."""

    async def __call__(self, message: Message) -> bool:
        return bool(message_text(message))


class HasDocument(Filter):
    """A message carrying a file (a document)."""

    async def __call__(self, message: Message) -> bool:
        return message.document is not None


class TextMatches(Filter):
    """A text message that matches ``pattern`` from its start (what ``F.text.regexp`` checks)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and self.pattern.match(message.text) is not None


class CommandFree(Filter):
    """Anything but a bot command, except the ``allowed`` ones (a router that runs before the
    command routers lets every other command through to them)."""

    def __init__(self, *allowed: str) -> None:
        self.allowed = frozenset(allowed)

    async def __call__(self, message: Message) -> bool:
        text = message_text(message)
        if not text or not text.startswith("/"):
            return True
        name = text[1:].split(maxsplit=1)[0].split("@", 1)[0] if len(text) > 1 else ""
        return name.lower() in self.allowed

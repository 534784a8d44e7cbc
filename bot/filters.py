"""Who may do what."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.config import Settings


class IsAdmin(Filter):
    """Passes only for users listed in ADMIN_IDS."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        return user is not None and settings.is_admin(user.id)


class IsManager(Filter):
    """Admins, and anyone acting inside the managers' chat."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        if user is not None and settings.is_admin(user.id):
            return True
        chat = event.chat if isinstance(event, Message) else (event.message.chat if event.message else None)
        return (
            chat is not None and settings.manager_chat_id is not None and chat.id == settings.manager_chat_id
        )


class PrivateChat(Filter):
    """Partner conversations happen in private chats only."""

    async def __call__(self, event: Message | CallbackQuery) -> bool:
        chat = event.chat if isinstance(event, Message) else (event.message.chat if event.message else None)
        return chat is not None and chat.type == "private"

"""Who is staff (an admin or a manager) rather than a partner of the program."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.managers_chat import effective_id

log = logging.getLogger(__name__)

MEMBER_STATUSES = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.CREATOR)


async def in_managers_chat(bot: Bot | None, session: AsyncSession, settings: Settings, user_id: int) -> bool:
    """Whether Telegram lists ``user_id`` as a member of the managers' chat right now."""
    chat = await effective_id(session, settings)  # MANAGER_CHAT_ID, or the supergroup it became
    if chat is None or bot is None:
        return False
    try:
        member = await bot.get_chat_member(chat, user_id)
    except TelegramAPIError as exc:
        log.info("Membership of %s in the managers' chat unknown: %s", user_id, exc)
        return False
    return member.status in MEMBER_STATUSES


async def is_staff(bot: Bot | None, session: AsyncSession, settings: Settings, user_id: int) -> bool:
    """An admin (ADMIN_IDS) or a member of the managers' chat: never a partner by pressing Start."""
    return settings.is_admin(user_id) or await in_managers_chat(bot, session, settings, user_id)

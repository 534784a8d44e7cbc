"""/dashboard: open the managers' Mini App.

In the managers' group a URL button with the Mini App's direct link (Telegram refuses web_app
buttons in groups); in a private chat with an admin or a member of the managers' chat a web_app
button, and that chat's menu button is set to open it too. Anyone else is refused.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import Message

from bot.config import Settings
from bot.i18n import Translate
from bot.keyboards import dashboard as keys

router = Router(name=__name__)
log = logging.getLogger(__name__)

MEMBER_STATUSES = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.CREATOR)


async def _is_manager(message: Message, settings: Settings) -> bool:
    """Admins; in the managers' chat anyone; in a private chat, members of the managers' chat."""
    user = message.from_user
    if user is not None and settings.is_admin(user.id):
        return True
    chat = settings.manager_chat_id
    if chat is None or user is None:
        return False
    if message.chat.id == chat:
        return True
    if message.chat.type != "private" or message.bot is None:
        return False
    try:
        member = await message.bot.get_chat_member(chat, user.id)
    except TelegramAPIError as exc:
        log.info("Membership of %s in the managers' chat unknown: %s", user.id, exc)
        return False
    return member.status in MEMBER_STATUSES


@router.message(Command("dashboard"))
async def dashboard(message: Message, settings: Settings, _: Translate) -> None:
    """The button that opens the dashboard (or how to enable it)."""
    if not await _is_manager(message, settings):
        await message.answer(_("mgr-refused"))
        return
    if settings.public_url is None:
        await message.answer(_("dash-off"))
        return
    assert message.bot is not None
    if message.chat.type == "private":
        menu = keys.menu_button(settings, _)
        try:
            await message.bot.set_chat_menu_button(chat_id=message.chat.id, menu_button=menu)
        except TelegramAPIError as exc:  # the button below still opens it
            log.info("Menu button not set for %s: %s", message.chat.id, exc)
        await message.answer(_("dash-here"), reply_markup=keys.markup(keys.private_button(settings, _)))
        return
    button = await keys.group_button(message.bot, settings, _)
    if button is None:
        await message.answer(_("dash-no-name"))
        return
    await message.answer(_("dash-here"), reply_markup=keys.markup(button))

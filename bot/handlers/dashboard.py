"""/dashboard: open the managers' Mini App.

In the managers' group a URL button with the Mini App's direct link (Telegram refuses web_app
buttons in groups); in a private chat with an admin or a member of the managers' chat a web_app
button, and that chat's menu button is set to open it too. Anyone else is refused.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import managers_chat
from bot.config import Settings
from bot.i18n import Translate
from bot.keyboards import dashboard as keys
from bot.staff import is_staff

log = logging.getLogger(__name__)


async def _in_group(message: Message, session: AsyncSession, settings: Settings) -> bool:
    """Whether the command came from the managers' chat (or the supergroup it became)."""
    return message.chat.id == await managers_chat.effective_id(session, settings)


async def dashboard(message: Message, session: AsyncSession, settings: Settings, _: Translate) -> None:
    """The button that opens the dashboard (or how to enable it)."""
    user = message.from_user
    in_group = await _in_group(message, session, settings)
    private = message.chat.type == "private"
    allowed = user is not None and (
        in_group
        or settings.is_admin(user.id)
        or (private and await is_staff(message.bot, session, settings, user.id))
    )
    if not allowed:
        await message.answer(_("mgr-refused"))
        return
    if settings.public_url is None:
        await message.answer(_("dash-off"))
        return
    assert message.bot is not None
    if private:
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


def get_router() -> Router:
    """A fresh router with this module's handler (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(dashboard, Command("dashboard"))
    return router

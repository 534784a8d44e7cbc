"""What nobody else handled: a friendly hint in private chats, silence in groups."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.filters import PrivateChat
from bot.i18n import Translate


async def unknown_message(message: Message, _: Translate) -> None:
    """Anything we did not understand."""
    await message.answer(_("unknown-input"))


async def unknown_button(callback: CallbackQuery, _: Translate) -> None:
    """A button whose data we do not know (old version, forged)."""
    await callback.answer(_("bad-button"), show_alert=True)


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(unknown_message, PrivateChat())
    router.callback_query.register(unknown_button)
    return router

"""Finding the ids the settings need: ``/chatid`` in any chat, and a note to admins when the bot
joins a group (its id is what MANAGER_CHAT_ID wants; a user's own id is what ADMIN_IDS wants)."""

from __future__ import annotations

import logging

from aiogram import Bot, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, Filter
from aiogram.types import ChatMemberUpdated, Message

from bot.config import Settings
from bot.i18n import Translate, Translator
from bot.managers_chat import effective_id
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


_GROUPS = ("group", "supergroup")
_PRESENT = ("member", "administrator", "creator", "restricted")


async def chat_id(message: Message, _: Translate, uow: UnitOfWork, settings: Settings) -> None:
    """The chat's id; in a private chat, the user's id too; in the managers' chat, that it is
    (and, when it is the supergroup MANAGER_CHAT_ID's group became, that the setting is stale)."""
    chat = message.chat
    if chat.type == "private":
        user = message.from_user
        await message.answer(_("chatid-private", user=str(user.id if user else chat.id), chat=str(chat.id)))
        return
    managers = await effective_id(uow.session, settings)
    if chat.id != managers:
        await message.answer(_("chatid-group", chat=str(chat.id)))
    elif chat.id == settings.manager_chat_id:
        await message.answer(_("chatid-managers", chat=str(chat.id)))
    else:
        await message.answer(
            _("chatid-managers-moved", chat=str(chat.id), old=str(settings.manager_chat_id))
        )


class InGroup(Filter):
    """The event happened in a group (async, like every filter: see bot/filters.py)."""

    async def __call__(self, event: ChatMemberUpdated) -> bool:
        return event.chat.type in _GROUPS


async def added_to_group(
    event: ChatMemberUpdated, bot: Bot, settings: Settings, translator: Translator, uow: UnitOfWork
) -> None:
    """Tell every admin, privately, the id and title of a group the bot was just added to."""
    was_in = event.old_chat_member.status in _PRESENT
    if was_in or event.new_chat_member.status not in _PRESENT:
        return  # a promotion, a demotion or a removal: nothing new to configure
    _ = translator.bind(settings.default_locale)
    # The supergroup MANAGER_CHAT_ID's group became is the managers' chat too.
    managers = await effective_id(uow.session, settings)
    key = "chatid-added-current" if event.chat.id == managers else "chatid-added"
    text = _(key, title=html.quote(event.chat.title or ""), chat=str(event.chat.id))
    for admin in sorted(settings.admin_ids):
        try:
            await bot.send_message(admin, text)
        except TelegramAPIError as exc:  # an admin who never opened the bot cannot be written to
            log.warning("Could not tell admin %s about group %s: %s", admin, event.chat.id, exc.message)


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(chat_id, Command("chatid"))
    router.my_chat_member.register(added_to_group, InGroup())
    return router

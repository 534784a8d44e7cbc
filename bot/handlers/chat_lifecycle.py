"""What Telegram does to chats over months, answered in one place (bot/managers_chat.py keeps the
managers' chat):

- the managers' group upgraded to a supergroup (service messages ``migrate_to_chat_id`` in the old
  chat, ``migrate_from_chat_id`` in the new one): follow the new id, tell the admins;
- the bot removed from / added back to the managers' chat (``my_chat_member``): tell the admins,
  keep alerts and digests, post them when it is back;
- a partner editing a message (``edited_message``): the saved answer stays, they are told how to
  add to it;
- a command addressed to another bot (``/cmd@other_bot``) in a group: not ours, never taken as
  the text a Reply prompt waits for.

This router runs first: these updates must not reach the survey or the relay.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Filter
from aiogram.types import ChatMemberUpdated, Message

from bot import managers_chat
from bot.digest.alerts import post_unposted
from bot.filters import PrivateChat
from bot.i18n import Translate
from bot.services import Services
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_PRESENT = ("member", "administrator", "creator", "restricted")


class Migrated(Filter):
    """A service message: the group became a supergroup (sent in both chats)."""

    async def __call__(self, message: Message) -> bool:
        return message.migrate_to_chat_id is not None or message.migrate_from_chat_id is not None


class ForAnotherBot(Filter):
    """A command that names another bot (``/start@other_bot``)."""

    async def __call__(self, message: Message, bot: Bot) -> bool:
        text = message.text or message.caption or ""
        if not text.startswith("/"):
            return False
        head = text.split(maxsplit=1)[0] if text.strip() else ""
        if "@" not in head:
            return False
        mentioned = head.split("@", 1)[1]
        me = await bot.me()
        return mentioned.lower() != (me.username or "").lower()


async def chat_migrated(message: Message, uow: UnitOfWork, services: Services) -> None:
    """Follow the managers' chat to its new supergroup id and tell the admins."""
    session = uow.session
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = int(message.migrate_from_chat_id or 0), message.chat.id
    if await managers_chat.record_move(session, services.settings, old, new):
        await uow.commit()
        await managers_chat.followed(services, new)


async def another_bots_command(message: Message) -> None:
    """Ignore it: it is not for us (and not the reply a prompt waits for)."""
    log.debug("Ignored a command for another bot in chat %s", message.chat.id)


async def membership_changed(event: ChatMemberUpdated, uow: UnitOfWork, services: Services) -> None:
    """The bot removed from or added back to the managers' chat; any other chat goes on to
    bot/handlers/chat_id.py."""
    session = uow.session
    chat = await managers_chat.effective_id(session, services.settings)
    if chat is None or event.chat.id != chat:
        raise SkipHandler
    was_in = event.old_chat_member.status in _PRESENT
    is_in = event.new_chat_member.status in _PRESENT
    if was_in and not is_in:
        if await managers_chat.record_away(session, chat):
            await uow.commit()
            await managers_chat.tell_admins(
                services,
                services.translator.get(services.settings.default_locale, "lc-removed", chat=str(chat)),
            )
        return
    if is_in and not was_in:
        away = await managers_chat.record_back(session)
        if not away:
            raise SkipHandler  # a first add: chat_id.py tells the admins the id
        await uow.commit()  # posting below opens sessions of its own
        await post_unposted(services, chat)
        return
    raise SkipHandler


async def partner_edited(message: Message, _: Translate) -> None:
    """An edit changes nothing already saved: say so, and how to add to it."""
    await message.answer(_("lc-edited"))


async def edited_elsewhere(message: Message) -> None:
    """Edits in groups (a manager fixing a typo) need no answer."""


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(chat_migrated, Migrated())
    router.message.register(another_bots_command, ForAnotherBot())
    router.my_chat_member.register(membership_changed)
    router.edited_message.register(partner_edited, PrivateChat())
    router.edited_message.register(edited_elsewhere)
    return router

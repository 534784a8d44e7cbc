"""The managers' chat as Telegram last described it, and posting to it without losing anything.

Telegram changes the chat under a long-running bot:
- a group upgraded to a supergroup gets a new id: the old one answers 400 "group chat was
  upgraded to a supergroup chat" with ``migrate_to_chat_id``, and the service messages
  ``migrate_to_chat_id`` / ``migrate_from_chat_id`` say so too. The bot remembers the new id in
  the database (``MANAGER_CHAT_ID`` in the environment is stale from then on), posts there and
  tells the admins, in one line, to update ``MANAGER_CHAT_ID``;
- the bot removed from the chat (``my_chat_member`` left/kicked, or a 403 on a post): the admins
  are told once; alerts stay unposted (the alert job posts them later) and digests are held in
  ``held_posts``; when the bot is added back (or a post succeeds again) all of it is posted.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import orjson
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, LinkPreviewOptions, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import register_managers_menu
from bot.config import CommonSettings
from bot.services import Services
from storage.repo import alerts, bot_state, partner_posts

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_GONE = ("chat not found", "bot is not a member", "have no rights to send", "not enough rights")


class ManagersChatAway(Exception):
    """The bot cannot post in the managers' chat now (removed from it, or the chat is gone)."""


async def effective_id(session: AsyncSession, settings: CommonSettings) -> int | None:
    """MANAGER_CHAT_ID, or the supergroup Telegram moved that chat to."""
    configured = settings.manager_chat_id
    if configured is None:
        return None
    raw = await bot_state.get(session, bot_state.MANAGERS_CHAT)
    if raw:
        moved = orjson.loads(raw)
        if configured in (moved.get("from"), moved.get("to")):
            return int(moved["to"])
    return configured


async def chat_id(services: Services) -> int | None:
    """The managers' chat to post to now (see :func:`effective_id`)."""
    if services.settings.manager_chat_id is None:
        return None
    async with services.sessionmaker() as session:
        return await effective_id(session, services.settings)


async def record_move(session: AsyncSession, settings: CommonSettings, old: int, new: int) -> bool:
    """Remember that the managers' chat ``old`` is now ``new`` (caller commits); False when
    ``old`` is not the managers' chat (another group, or the move is known already)."""
    current = await effective_id(session, settings)
    if current is None or current != old or old == new:
        return False
    await bot_state.put(
        session, bot_state.MANAGERS_CHAT, orjson.dumps({"from": settings.manager_chat_id, "to": new}).decode()
    )
    await alerts.move_chat(session, old, new)
    await partner_posts.move_chat(session, old, new)
    away = await bot_state.get(session, bot_state.MANAGERS_AWAY)
    if away == str(old):
        await bot_state.drop(session, bot_state.MANAGERS_AWAY)
    log.warning("The managers' chat %s became supergroup %s: set MANAGER_CHAT_ID=%s", old, new, new)
    return True


async def record_away(session: AsyncSession, chat: int) -> bool:
    """Remember that the bot is out of the managers' chat; False when known already."""
    if await bot_state.get(session, bot_state.MANAGERS_AWAY) == str(chat):
        return False
    await bot_state.put(session, bot_state.MANAGERS_AWAY, str(chat))
    log.warning("The bot is not in the managers' chat %s: alerts and digests are kept until it is back", chat)
    return True


async def record_back(session: AsyncSession) -> bool:
    """Forget that the bot was out of the managers' chat; False when it was not."""
    if await bot_state.get(session, bot_state.MANAGERS_AWAY) is None:
        return False
    await bot_state.drop(session, bot_state.MANAGERS_AWAY)
    log.info("The bot is back in the managers' chat")
    return True


async def is_away(services: Services) -> bool:
    """Whether the bot was removed from the managers' chat and not added back yet."""
    async with services.sessionmaker() as session:
        return await bot_state.get(session, bot_state.MANAGERS_AWAY) is not None


async def tell_admins(services: Services, text: str) -> None:
    """One line to every admin, privately (an admin who never opened the bot is only logged)."""
    for admin in sorted(services.settings.admin_ids):
        try:
            await services.bot.send_message(admin, text)
        except TelegramAPIError as exc:
            log.warning("Could not tell admin %s: %s", admin, exc.message)


def _admins_text(services: Services, key: str, **kwargs: str) -> str:
    return services.translator.get(services.settings.default_locale, key, **kwargs)


async def moved(services: Services, old: int, new: int) -> None:
    """Follow the managers' chat to ``new`` and tell the admins (once)."""
    async with services.sessionmaker() as session:
        changed = await record_move(session, services.settings, old, new)
        await session.commit()
    if changed:
        await followed(services, new)


async def followed(services: Services, new: int) -> None:
    """After a recorded move: the managers' menu in the new chat, and one line to the admins."""
    await register_managers_menu(services.bot, services.translator, new)
    await tell_admins(services, _admins_text(services, "lc-upgraded", new=str(new)))


async def removed(services: Services, chat: int) -> None:
    """The bot is out of the managers' chat: remember it and tell the admins (once)."""
    async with services.sessionmaker() as session:
        changed = await record_away(session, chat)
        await session.commit()
    if changed:
        await tell_admins(services, _admins_text(services, "lc-removed", chat=str(chat)))


async def back(services: Services, chat: int, unposted_alerts: int) -> None:
    """The bot is in the managers' chat again: tell the admins and post the held digests (the
    caller posts the alerts, bot/digest/alerts.py)."""
    async with services.sessionmaker() as session:
        await record_back(session)
        await session.commit()
        waiting = await bot_state.held(session)
    await tell_admins(
        services,
        _admins_text(
            services, "lc-back", chat=str(chat), alerts=str(unposted_alerts), digests=str(len(waiting))
        ),
    )
    await flush_held(services)


async def post(services: Services, send: Callable[[int], Awaitable[T]]) -> T:
    """``send(chat_id)`` to the managers' chat, following a move; ManagersChatAway when the bot
    cannot post there (the caller keeps what it wanted to post)."""
    chat = await chat_id(services)
    if chat is None:
        raise ManagersChatAway("MANAGER_CHAT_ID is not set")
    try:
        result = await send(chat)
    except TelegramMigrateToChat as exc:
        await moved(services, chat, exc.migrate_to_chat_id)
        return await send(exc.migrate_to_chat_id)
    except TelegramForbiddenError as exc:
        await removed(services, chat)
        raise ManagersChatAway(exc.message) from exc
    except TelegramBadRequest as exc:
        if any(text in exc.message.lower() for text in _GONE):
            await removed(services, chat)
            raise ManagersChatAway(exc.message) from exc
        raise
    if await is_away(services):  # a post went through: the bot is back, whatever we missed
        async with services.sessionmaker() as session:
            await record_back(session)
            await session.commit()
        await flush_held(services)
    return result


async def post_parts(
    services: Services,
    kind: str,
    parts: Sequence[str],
    chart: bytes | None,
    markup: InlineKeyboardMarkup | None = None,
    posted: list[tuple[int, int, str]] | None = None,
) -> bool:
    """Post a digest's parts (``markup`` under the last) and chart; when the bot is out of the
    chat, hold the rest (False; a held digest goes out later without the markup). ``posted``
    collects (chat, message id, text) of each part that went out."""
    bot = services.bot
    sent = 0
    try:
        for i, part in enumerate(parts):
            keyboard = markup if i == len(parts) - 1 else None

            async def send_part(
                chat: int, text: str = part, keys: InlineKeyboardMarkup | None = keyboard
            ) -> object:
                return await bot.send_message(chat, text, link_preview_options=NO_PREVIEW, reply_markup=keys)

            message = await post(services, send_part)
            if posted is not None and isinstance(message, Message):
                posted.append((message.chat.id, message.message_id, part))
            sent += 1
        if chart:
            photo = BufferedInputFile(chart, filename="nps.png")
            await post(services, lambda chat: bot.send_photo(chat, photo))
    except ManagersChatAway as exc:
        async with services.sessionmaker() as session:
            await bot_state.hold(session, kind, list(parts[sent:]), chart)
            await session.commit()
        log.warning("The %s digest is kept until the bot is back in the managers' chat: %s", kind, exc)
        return False
    return True


async def flush_held(services: Services) -> int:
    """Post the held digests (each taken by one process); returns how many went out."""
    async with services.sessionmaker() as session:
        waiting = await bot_state.held(session)
    posted = 0
    for item in waiting:
        async with services.sessionmaker() as session:
            mine = await bot_state.release(session, item.id)
            await session.commit()
        if mine and await post_parts(services, item.kind, item.parts, item.chart):
            posted += 1
    return posted

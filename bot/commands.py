"""Command menus (setMyCommands) in both languages; admin commands only in admins' scope."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.config import Settings
from bot.i18n import LOCALES, Translator
from bot.startup import describe

log = logging.getLogger(__name__)

PARTNER_COMMANDS = ("survey", "language", "stop", "start", "forget_me", "cancel", "help")
MANAGER_COMMANDS = ("nps", "report", "dashboard", "digest", "alerts", "export", "themes")
ADMIN_COMMANDS = (
    "partners",
    "import",
    "invite",
    "invites",
    "newcampaign",
    "campaigns",
    "launch",
    "pause",
    "resume",
    "close",
    "remind",
    "announce",
    "schedule",
    "hooks",
    "hook_add",
    "hook_remove",
    "hook_test",
    "chatid",
)


_Menu = tuple[list[BotCommand], BotCommandScopeDefault | BotCommandScopeChat, str | None]  # one setMyCommands


def _menu(translator: Translator, locale: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=translator.get(locale, f"cmd-{name.replace('_', '-')}"))
        for name in names
    ]


async def register_commands(
    bot: Bot, settings: Settings, translator: Translator, managers: int | None
) -> None:
    """Publish the menus, best effort: any failure is one warning line and start-up goes on.

    ``managers`` is the managers' chat as the bot knows it (bot/managers_chat.py effective_id:
    the supergroup MANAGER_CHAT_ID's group became, if it did). Not only Telegram errors: an
    unreadable reply or one aiogram cannot validate raises other exceptions, and a missing menu
    is never worth a bot that does not start."""
    calls: list[_Menu] = []
    for locale in LOCALES:
        calls.append((_menu(translator, locale, PARTNER_COMMANDS), BotCommandScopeDefault(), locale))
        everything = PARTNER_COMMANDS + MANAGER_COMMANDS + ADMIN_COMMANDS
        for admin in sorted(settings.admin_ids):
            calls.append((_menu(translator, locale, everything), BotCommandScopeChat(chat_id=admin), locale))
        if managers is not None:
            calls.append(
                (_menu(translator, locale, MANAGER_COMMANDS), BotCommandScopeChat(chat_id=managers), locale)
            )
    # Users whose Telegram language is neither get the default locale's menu.
    calls.append(
        (_menu(translator, settings.default_locale, PARTNER_COMMANDS), BotCommandScopeDefault(), None)
    )
    await _publish(bot, calls, "Could not register command menus (%s); the bot runs without them")


async def _publish(
    bot: Bot,
    calls: list[_Menu],
    warning: str,
) -> None:
    """Every menu at once: each scope is its own setting, and start-up waits for one round trip
    to Telegram instead of one per menu (7 with one admin). One warning line for any failure."""
    outcomes = await asyncio.gather(
        *(bot.set_my_commands(menu, scope, locale) for menu, scope, locale in calls), return_exceptions=True
    )
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    for outcome in failed:
        if not isinstance(outcome, Exception):
            raise outcome  # cancelled: not a menu problem
    if failed:
        log.warning(warning, describe(failed[0]))


async def register_managers_menu(bot: Bot, translator: Translator, managers: int) -> None:
    """The managers' menu in their chat's new id (a group upgraded to a supergroup), best effort
    as at start-up."""
    calls: list[_Menu] = [
        (_menu(translator, locale, MANAGER_COMMANDS), BotCommandScopeChat(chat_id=managers), locale)
        for locale in LOCALES
    ]
    await _publish(bot, calls, "Could not register the managers' menu (%s)")

"""Command menus (setMyCommands) in both languages; admin commands only in admins' scope."""

from __future__ import annotations

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
    try:
        for locale in LOCALES:
            await bot.set_my_commands(
                _menu(translator, locale, PARTNER_COMMANDS), BotCommandScopeDefault(), locale
            )
            for admin in sorted(settings.admin_ids):
                await bot.set_my_commands(
                    _menu(translator, locale, PARTNER_COMMANDS + MANAGER_COMMANDS + ADMIN_COMMANDS),
                    BotCommandScopeChat(chat_id=admin),
                    locale,
                )
            if managers is not None:
                await bot.set_my_commands(
                    _menu(translator, locale, MANAGER_COMMANDS), BotCommandScopeChat(chat_id=managers), locale
                )
        # Users whose Telegram language is neither get the default locale's menu.
        await bot.set_my_commands(
            _menu(translator, settings.default_locale, PARTNER_COMMANDS), BotCommandScopeDefault()
        )
    except Exception as exc:  # best effort, see the docstring
        log.warning("Could not register command menus (%s); the bot runs without them", describe(exc))


async def register_managers_menu(bot: Bot, translator: Translator, managers: int) -> None:
    """The managers' menu in their chat's new id (a group upgraded to a supergroup), best effort
    as at start-up."""
    try:
        for locale in LOCALES:
            await bot.set_my_commands(
                _menu(translator, locale, MANAGER_COMMANDS), BotCommandScopeChat(chat_id=managers), locale
            )
    except Exception as exc:  # best effort, see register_commands
        log.warning("Could not register the managers' menu (%s)", describe(exc))

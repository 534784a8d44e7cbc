"""Buttons that open the managers' dashboard (the Mini App at PUBLIC_URL + /app/).

Telegram refuses ``web_app`` buttons in groups, so the managers' group gets a URL button with
the Mini App's direct link, ``https://t.me/<bot>/<MINIAPP_NAME>?startapp=<view>``; a private chat
gets a ``web_app`` button. The view (``alerts``, ``c<campaign id>``, ...) only picks what the
page shows first: every data request is checked on its own (bot/web/tma.py).
"""

from __future__ import annotations

import re

from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo

from bot.config import Settings
from bot.i18n import Translate

APP_PATH = "/app/"
ALERTS = "alerts"
OVERVIEW = "overview"
_VIEW = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram allows in startapp


def campaign_view(campaign_id: int) -> str:
    """The view of one campaign."""
    return f"c{campaign_id}"


def app_url(settings: Settings, view: str = OVERVIEW) -> str | None:
    """The page's address for a web_app button (None without PUBLIC_URL)."""
    if settings.public_url is None:
        return None
    if not _VIEW.fullmatch(view):
        raise ValueError(f"bad view {view!r}")
    return f"{settings.public_url}{APP_PATH}?view={view}"


async def direct_link(bot: Bot, settings: Settings, view: str = OVERVIEW) -> str | None:
    """``https://t.me/<bot>/<app>?startapp=<view>``; None without PUBLIC_URL or MINIAPP_NAME."""
    if settings.public_url is None or settings.miniapp_name is None:
        return None
    if not _VIEW.fullmatch(view):
        raise ValueError(f"bad view {view!r}")
    me = await bot.me()  # asked once, then remembered by aiogram
    return f"https://t.me/{me.username}/{settings.miniapp_name}?startapp={view}"


async def group_button(
    bot: Bot, settings: Settings, _: Translate, view: str = OVERVIEW
) -> InlineKeyboardButton | None:
    """A URL button for the managers' group, or None when the dashboard is not set up."""
    link = await direct_link(bot, settings, view)
    return InlineKeyboardButton(text=_("dash-open"), url=link) if link is not None else None


def private_button(settings: Settings, _: Translate, view: str = OVERVIEW) -> InlineKeyboardButton | None:
    """A web_app button for a private chat, or None without PUBLIC_URL."""
    url = app_url(settings, view)
    return InlineKeyboardButton(text=_("dash-open"), web_app=WebAppInfo(url=url)) if url is not None else None


def markup(button: InlineKeyboardButton | None) -> InlineKeyboardMarkup | None:
    """One button on its own row, or no keyboard."""
    return InlineKeyboardMarkup(inline_keyboard=[[button]]) if button is not None else None


def menu_button(settings: Settings, _: Translate) -> MenuButtonWebApp | None:
    """The chat's menu button opening the dashboard (private chats of admins and managers)."""
    url = app_url(settings)
    return MenuButtonWebApp(text=_("dash-menu"), web_app=WebAppInfo(url=url)) if url is not None else None

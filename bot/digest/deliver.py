"""Sending digests: to the managers' chat (weekly, on campaign close, /digest) or to whoever asked.

No database session is open while we talk to Telegram: the builders open and close their own.
The managers' chat is posted to through bot/managers_chat.py (it follows a move to a supergroup
and holds a digest while the bot is out of the chat).
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, LinkPreviewOptions

from bot.digest.build import Digest, DigestOptions, campaign_digest, weekly_digest
from bot.digest.fmt import clip
from bot.keyboards import dashboard
from bot.managers_chat import post_parts
from bot.services import Services
from storage.analytics.campaigns import campaign_info
from storage.repo import partner_posts

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_digest(
    bot: Bot, chat_id: int, digest: Digest, *, reply_to: int | None = None
) -> list[tuple[int, int, str]]:
    """The text parts in order, then the chart; returns (chat, message id, text) of each part."""
    posted = []
    for i, part in enumerate(digest.parts):
        message = await bot.send_message(
            chat_id,
            part,
            link_preview_options=NO_PREVIEW,
            reply_to_message_id=reply_to if i == 0 else None,
        )
        posted.append((message.chat.id, message.message_id, part))
    if digest.chart:
        await bot.send_photo(chat_id, BufferedInputFile(digest.chart, filename="nps.png"))
    return posted


async def push_weekly(services: Services, now: datetime | None = None) -> Digest | None:
    """Build the weekly digest and send it to the managers' chat (None when there is no chat)."""
    settings = services.settings
    if settings.manager_chat_id is None:
        log.info("Weekly digest skipped: MANAGER_CHAT_ID is not set")
        return None
    digest = await weekly_digest(
        services.reports, services.translator, DigestOptions.from_settings(settings), now=now
    )
    markup = await _dashboard(services, digest)
    posted: list[tuple[int, int, str]] = []
    sent = await post_parts(services, "weekly", digest.parts, digest.chart, markup, posted)
    await remember_shown(services, digest, posted)
    if sent:
        log.info("Weekly digest sent (%d messages, chart: %s)", len(digest.parts), digest.chart is not None)
    return digest


async def push_campaign_closed(services: Services, campaign_id: int) -> Digest | None:
    """The summary of a campaign that just closed, to the managers' chat."""
    settings = services.settings
    if settings.manager_chat_id is None:
        log.info("Campaign %s digest skipped: MANAGER_CHAT_ID is not set", campaign_id)
        return None
    options = DigestOptions.from_settings(settings)
    _ = services.translator.bind(options.locale)
    async with services.sessionmaker() as session:
        info = await campaign_info(session, campaign_id)
    if info is None:
        log.warning("Campaign %s closed but not found", campaign_id)
        return None
    title = _("dg-title-closed", title=clip(info.title, 120))
    digest = await campaign_digest(services.reports, services.translator, options, campaign_id, title=title)
    if digest is None:
        return None
    markup = await _dashboard(services, digest)
    posted: list[tuple[int, int, str]] = []
    sent = await post_parts(services, "campaign", digest.parts, digest.chart, markup, posted)
    await remember_shown(services, digest, posted)
    if sent:
        log.info("Campaign %s digest sent", campaign_id)
    return digest


async def remember_shown(services: Services, digest: Digest, posted: list[tuple[int, int, str]]) -> None:
    """The parts that name or quote a partner: an erasure edits them (bot/erasure.py)."""
    async with services.sessionmaker() as session:
        for chat, message_id, text in posted:
            partners = [pid for pid, marks in digest.shown if any(mark and mark in text for mark in marks)]
            if partners:
                await partner_posts.remember(session, partners, chat, [message_id])
        await session.commit()


async def _dashboard(services: Services, digest: Digest) -> InlineKeyboardMarkup | None:
    """The managers' group's button to the digest's campaign in the dashboard (when set up)."""
    settings = services.settings
    view = dashboard.campaign_view(digest.campaign_id) if digest.campaign_id else dashboard.OVERVIEW
    _ = services.translator.bind(settings.default_locale)
    return dashboard.markup(await dashboard.group_button(services.bot, settings, _, view))

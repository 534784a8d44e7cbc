"""After an erasure: the messages the bot posted stop showing the partner.

The rows are erased first (bot/operations.py); a message Telegram holds can only be edited or
deleted, so each posted alert is rewritten from the erased rows: score and campaign stay, the
partner's name, username and words go, and a line says why. Every other message that showed
them (their replies relayed into the managers' chat, the Reply prompt naming them, /alerts lists:
storage.repo.partner_posts) is replaced by that line; one that cannot be edited is deleted. A
digest held for the managers' chat (the bot was out of it) loses the parts that quote or name
them before it is ever posted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import html
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest

from bot.digest import fmt
from bot.keyboards.alerts import alert_keyboard
from bot.services import Services
from storage.repo import alerts, bot_state, partner_posts

log = logging.getLogger(__name__)


async def redact_posted_alerts(services: Services, alert_ids: Sequence[int]) -> int:
    """Edit each posted alert to its erased form; returns how many were edited."""
    settings = services.settings
    _ = services.translator.bind(settings.default_locale)
    edited = 0
    for alert_id in alert_ids:
        async with services.sessionmaker() as session:
            view = await alerts.view(session, alert_id)
        if view is None or view.chat_id is None or view.message_id is None:
            continue
        text = "\n".join(
            [
                _("al-title", score=str(view.score), campaign=fmt.clip(view.campaign_title, 80)),
                _("al-partner", who=fmt.partner_label(view.partner, _)),
                "",
                _("lc-alert-erased"),
            ]
        )
        try:
            await services.bot.edit_message_text(
                text=text,
                chat_id=view.chat_id,
                message_id=view.message_id,
                reply_markup=alert_keyboard(_, alert_id) if view.is_open else None,
            )
            edited += 1
        except TelegramAPIError as exc:
            log.warning("Posted alert %s not redacted after erasure: %s", alert_id, exc)
    return edited


async def redact_posts(services: Services, partner_id: int, posts: Sequence[tuple[int, int]]) -> int:
    """Replace each (chat, message) that showed the partner by one line saying why (deleted when
    Telegram refuses the edit); returns how many were rewritten or deleted. The partner's
    records of them go once each was tried."""
    bot = services.bot
    text = services.translator.get(services.settings.default_locale, "lc-post-erased")
    done = 0
    for chat, message_id in posts:
        try:
            await bot.edit_message_text(text=text, chat_id=chat, message_id=message_id, reply_markup=None)
            done += 1
            continue
        except TelegramBadRequest as exc:
            if "not modified" in exc.message.lower():  # rewritten already (an erasure retried)
                done += 1
                continue
            log.info("Message %s in %s not editable after erasure (%s); deleting it", message_id, chat, exc)
        except TelegramAPIError as exc:
            log.warning("Message %s in %s not redacted after erasure: %s", message_id, chat, exc)
            continue
        try:
            await bot.delete_message(chat, message_id)
            done += 1
        except TelegramAPIError as exc:
            log.warning(
                "Message %s in %s neither edited nor deleted after erasure: %s", message_id, chat, exc
            )
    async with services.sessionmaker() as session:
        await partner_posts.forget(session, partner_id)
        await session.commit()
    return done


async def redact_held(services: Services, personal: Sequence[str]) -> int:
    """Replace, by the same line, the parts of held digests that show any of ``personal`` (the
    partner's name, username and words, as a digest renders them); returns how many parts."""
    marks = {m for s in personal for m in (html.quote(s), fmt.clip(s)) if m}
    line = services.translator.get(services.settings.default_locale, "lc-post-erased")
    changed = 0
    async with services.sessionmaker() as session:
        for item in await bot_state.held(session):
            parts = [line if any(m in part for m in marks) else part for part in item.parts]
            hit = sum(1 for old, new in zip(item.parts, parts, strict=True) if old != new)
            if hit:
                await bot_state.rewrite_held(session, item.id, parts)
                changed += hit
        await session.commit()
    return changed

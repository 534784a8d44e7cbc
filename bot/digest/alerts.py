"""Detractor alerts in the managers' chat: the text, raising one, and the delayed/retry job.

An alert is raised when a detractor finishes the survey (survey hook) or, for a partner who
stopped after the score, once ``DETRACTOR_ALERT_DELAY_MINUTES`` have passed (scheduler job).
The row is claimed and committed first (exactly one per response), then the message is sent;
if Telegram fails, the job sends it again later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.exceptions import TelegramAPIError

from bot import managers_chat
from bot.digest import fmt
from bot.i18n import Translate
from bot.keyboards import dashboard
from bot.keyboards.alerts import alert_keyboard
from bot.services import Services
from storage.analytics.key_partners import key_partners
from storage.models import utcnow
from storage.repo import alerts
from storage.repo.alerts import AlertView

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=2)  # an alert claimed this long ago without a message is retried


def manager_mention(manager: str) -> str:
    """The partner's manager as a mention: ``@username`` notifies them in the group; a numeric id
    becomes a link to the user."""
    if manager.isdigit():
        return f'<a href="tg://user?id={manager}">{manager}</a>'
    return "@" + html.quote(manager)


def alert_text(
    view: AlertView, _: Translate, tz: ZoneInfo, resolver: str | None = None, *, key_partner: bool = False
) -> str:
    """The alert: who, profile, score, comment, drivers; and who resolved it, once resolved.

    Only the resolver's user id is stored, so the resolving handler passes their name. A key
    partner's alert says so and names the partner's manager.
    """
    lines = [_("al-title", score=str(view.score), campaign=fmt.clip(view.campaign_title, 80))]
    if key_partner:
        manager = manager_mention(view.manager) if view.manager else _("al-none")
        lines.append(_("al-key-partner", manager=manager))
    lines += [
        _("al-partner", who=fmt.partner_label(view.partner, _)),
        _(
            "al-profile",
            segment=html.quote(view.partner.segment) if view.partner.segment else _("al-none"),
            tier=html.quote(view.partner.tier) if view.partner.tier else _("al-none"),
        ),
        _("al-comment", comment=fmt.clip(view.comment, 800)) if view.comment else _("al-no-comment"),
    ]
    if view.drivers:
        lines.append(_("al-drivers", areas=", ".join(_(f"area-{a}") for a in view.drivers)))
    if not view.finished:
        lines.append(_("al-unfinished"))
    if not view.is_open and view.resolved_at is not None:
        lines.append("")
        who = html.quote(resolver or str(view.resolved_by or ""))
        lines.append(_("al-resolved", who=who, time=fmt.when(view.resolved_at, tz)))
    return "\n".join(lines)


async def raise_alert(services: Services, response_id: int) -> bool:
    """Claim the alert of a detractor response and post it; False when none is due or it exists."""
    settings = services.settings
    if settings.manager_chat_id is None:
        return False
    async with services.sessionmaker() as session:
        alert_id = await alerts.claim(session, response_id)
        await session.commit()
    if alert_id is None:
        return False
    return await deliver(services, alert_id)


async def deliver(services: Services, alert_id: int) -> bool:
    """Post a claimed alert to the managers' chat and remember the message."""
    settings = services.settings
    if settings.manager_chat_id is None:
        return False
    _ = services.translator.bind(settings.default_locale)
    async with services.sessionmaker() as session:
        view = await alerts.view(session, alert_id)
    if view is None or view.message_id is not None:
        return False
    async with services.sessionmaker() as session:
        key = await key_partners(session)
    opener = await dashboard.group_button(services.bot, settings, _, dashboard.ALERTS)
    text = alert_text(view, _, settings.tz, key_partner=view.partner_id in key.ids)
    keyboard = alert_keyboard(_, alert_id, opener)
    try:
        # Through managers_chat: a move to a supergroup is followed, a removed bot keeps the
        # alert unposted (this job posts it when the bot is back).
        sent = await managers_chat.post(
            services, lambda chat: services.bot.send_message(chat, text, reply_markup=keyboard)
        )
    except (TelegramAPIError, managers_chat.ManagersChatAway) as exc:
        log.warning("Alert %s not posted: %s", alert_id, exc)
        return False
    async with services.sessionmaker() as session:
        await alerts.set_message(session, alert_id, sent.chat.id, sent.message_id)
        await session.commit()
    log.info("Alert %s posted for response %s", alert_id, view.response_id)
    return True


async def alert_job(services: Services, now: datetime | None = None) -> int:
    """Raise alerts for detractors who stopped after the score, retry unsent ones; returns posted."""
    settings = services.settings
    if settings.manager_chat_id is None:
        return 0
    now = now or utcnow()
    async with services.sessionmaker() as session:
        due = await alerts.due_responses(
            session, now=now, delay_minutes=settings.detractor_alert_delay_minutes
        )
        stale = await alerts.undelivered(session, older_than=now - RETRY_AFTER)
    posted = 0
    for response_id in due:
        posted += await raise_alert(services, response_id)
    for alert_id in stale:
        posted += await deliver(services, alert_id)
    return posted


async def post_unposted(services: Services, chat: int) -> None:
    """The bot is back in the managers' chat ``chat``: tell the admins, post every alert that
    waited (whatever its age) and the held digests."""
    async with services.sessionmaker() as session:
        waiting = await alerts.undelivered(session, older_than=utcnow(), limit=1000)
    await managers_chat.back(services, chat, len(waiting))
    for alert_id in waiting:
        await deliver(services, alert_id)


def alert_link(chat_id: int | None, message_id: int | None) -> str | None:
    """t.me link to the alert; only supergroups (ids starting -100) have message links."""
    if chat_id is None or message_id is None or not str(chat_id).startswith("-100"):
        return None
    return f"https://t.me/c/{str(chat_id)[4:]}/{message_id}"

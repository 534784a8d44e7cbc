"""Domain operations, the one place handlers, jobs, the HTTP layer and the CLI call them from.

launch, pause, resume, remind, close, announce, erase, resolve an alert. Campaign steps commit
their own writes before waking the sender or calling hooks, so nothing holds a database
connection while another session or Telegram is waited on. What they change is in the database,
which is how they reach the worker whichever process runs them: the sender claims by status
(a paused or closed campaign's rows are not claimed); a sender in this process is also told at once.
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta

from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import insight_hooks
from bot.digest.alerts import alert_text
from bot.sending import notify
from bot.services import Services
from storage.analytics.key_partners import key_partners
from storage.models import Campaign, Partner
from storage.repo import alerts, announcements, campaigns, delivery_queue, partner_posts, partners, privacy
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def launch(services: Services, session: AsyncSession, campaign: Campaign, *, now: datetime) -> int:
    """Freeze the audience, start the campaign, commit, wake the sender; returns the audience.

    Raises campaigns.CampaignError (nothing changes then).
    """
    settings = services.settings
    try:
        audience = await campaigns.launch(
            session,
            campaign,
            now=now,
            min_days=settings.min_days_between_surveys,
            campaign_days=settings.campaign_days,
        )
    except campaigns.CampaignError:
        await session.rollback()  # the reply that follows would otherwise commit a half launch
        raise
    await session.commit()
    notify(services)
    log.info("Campaign %s launched to %s partners", campaign.id, audience)
    return audience


async def pause(services: Services, session: AsyncSession, campaign: Campaign) -> None:
    """Stop sending at once: the claim skips the campaign, claimed rows go back unsent."""
    await campaigns.pause(session, campaign)
    await session.commit()
    if services.sender is not None:
        services.sender.hold(campaign.id)


async def resume(services: Services, session: AsyncSession, campaign: Campaign) -> None:
    """Continue sending a paused campaign."""
    await campaigns.resume(session, campaign)
    await session.commit()
    if services.sender is not None:
        services.sender.unhold(campaign.id)
    notify(services)


async def remind(
    services: Services, session: AsyncSession, campaign_id: int, *, invited_before: datetime | None
) -> int:
    """Queue the campaign's one reminder for non-responders, commit, wake the sender."""
    added = await delivery_queue.enqueue_reminders(session, campaign_id, invited_before=invited_before)
    await session.commit()
    if added:
        notify(services)
        log.info("Campaign %s: reminder queued for %s partners", campaign_id, added)
    return added


async def remind_due(services: Services, *, now: datetime) -> dict[int, int]:
    """Reminders for every running campaign whose invitations are REMINDER_AFTER_DAYS old."""
    before = now - timedelta(days=services.settings.reminder_after_days)
    done: dict[int, int] = {}
    async with services.sessionmaker() as session:
        for cid in await campaigns.running_ids(session):
            added = await remind(services, session, cid, invited_before=before)
            if added:
                done[cid] = added
    return done


async def close(services: Services, session: AsyncSession, campaign: Campaign, *, now: datetime) -> int:
    """Close the campaign, commit, then tell the managers' side; returns dropped unsent messages.

    Raises campaigns.CampaignError when it is not open.
    """
    dropped = await campaigns.close(session, campaign, now=now)
    await session.commit()
    if services.sender is not None:
        services.sender.hold(campaign.id)  # in-flight rows return and the claim fails them "campaign closed"
    log.info("Campaign %s closed (%s unsent dropped)", campaign.id, dropped)
    notify(services)  # the progress message shows the final figures
    await insight_hooks.on_campaign_closed(services, campaign.id)
    return dropped


async def close_due(services: Services, *, now: datetime) -> list[int]:
    """Close every open campaign whose CAMPAIGN_DAYS are over."""
    closed: list[int] = []
    async with services.sessionmaker() as session:
        due = await campaigns.due_to_close(session, now)
        await session.commit()
    for cid in due:
        async with services.sessionmaker() as session:
            campaign = await campaigns.get(session, cid)
            if campaign is None:
                continue
            try:
                await close(services, session, campaign, now=now)
            except campaigns.CampaignError:
                continue  # closed by an admin in the meantime
        closed.append(cid)
    return closed


async def announce(
    services: Services, session: AsyncSession, campaign_id: int, text: str, author_id: int | None
) -> tuple[int, int]:
    """Store an announcement, queue it for the campaign's reachable respondents, commit, wake the
    sender; returns (announcement id, messages queued)."""
    row = await announcements.create(session, campaign_id, text, author_id)
    audience = await announcements.respondents(session, campaign_id)
    queued = await delivery_queue.enqueue_announcement(session, campaign_id, row.id, audience)
    await session.commit()  # queued rows must be visible to the sender before it is woken
    notify(services)
    log.info("Announcement %s for campaign %s queued to %s partners", row.id, campaign_id, queued)
    return row.id, queued


async def erase(session: AsyncSession, partner_id: int, *, uow: UnitOfWork | None = None) -> bool:
    """Forget a partner (personal data and comments; scores stay anonymous), in the caller's
    transaction (that of ``uow`` when an update erases, so its unwritten FSM change of theirs
    goes too); False when there is no such partner."""
    partner: Partner | None = await partners.get(session, partner_id)
    if partner is None:
        return False
    telegram_id = partner.telegram_id
    quotes = await privacy.personal_strings(session, partner)
    await partners.erase(session, partner)
    # Their raw updates in the journal (and managers' updates quoting them), their FSM keys.
    await privacy.forget_traces(session, telegram_id, quotes, uow)
    log.info("Partner %s erased", partner_id)
    return True


async def forget_partner(
    services: Services, session: AsyncSession, partner_id: int, *, uow: UnitOfWork | None = None
) -> bool:
    """:func:`erase` (``uow`` as there), commit, then edit the partner's alerts already posted in
    the managers' chat and every other message that showed them (relays, prompts, lists) so that
    they no longer show the partner's name or words; False when there is no such partner."""
    from bot.erasure import redact_held, redact_posted_alerts, redact_posts  # Telegram-facing

    partner = await partners.get(session, partner_id)
    personal = await privacy.personal_strings(session, partner) if partner is not None else []
    posted = await alerts.posted_of_partner(session, partner_id)
    shown = await partner_posts.of_partner(session, partner_id)
    if not await erase(session, partner_id, uow=uow):
        return False
    await session.commit()  # erased before anything is sent
    await redact_held(services, personal)
    await redact_posted_alerts(services, posted)
    await redact_posts(services, partner_id, shown)
    return True


class ResolveOutcome(enum.Enum):
    """What resolving an alert did."""

    RESOLVED = "resolved"
    ALREADY = "already"  # someone resolved it first
    UNKNOWN = "unknown"  # no such alert


async def resolve_alert(
    services: Services, session: AsyncSession, alert_id: int, user_id: int, user_name: str
) -> ResolveOutcome:
    """Record who resolved the alert and when, commit, then edit its message in the managers'
    chat (buttons removed, "resolved by ..."), whether pressed there or in the Mini App."""
    view = await alerts.view(session, alert_id)
    if view is None:
        return ResolveOutcome.UNKNOWN
    if not view.is_open or not await alerts.resolve(session, alert_id, user_id):
        return ResolveOutcome.ALREADY
    resolved = await alerts.view(session, alert_id)
    await session.commit()  # recorded before Telegram is asked anything
    log.info("Alert %s resolved by %s", alert_id, user_id)
    if resolved is None or resolved.chat_id is None or resolved.message_id is None:
        return ResolveOutcome.RESOLVED
    settings = services.settings
    key = await key_partners(session)
    text = alert_text(
        resolved,
        services.translator.bind(settings.default_locale),
        settings.tz,
        user_name,
        key_partner=resolved.partner_id in key.ids,
    )
    try:
        await services.bot.edit_message_text(
            text=text, chat_id=resolved.chat_id, message_id=resolved.message_id, reply_markup=None
        )
    except TelegramAPIError as exc:  # deleted message, unchanged text: the record is what counts
        log.debug("Resolved alert %s not edited: %s", alert_id, exc)
    return ResolveOutcome.RESOLVED

"""Managers' commands: /nps, /report, /digest, /alerts, /export, /announce.

For admins (anywhere) and anyone in the managers' chat (IsManager); everyone else is refused.
Replies use the asking manager's language. Figures come from :mod:`storage.analytics`; the
update's own session is committed before a report opens its own, so no connection or lock is
held while the report runs or while we talk to Telegram.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from aiogram import Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import ForceReply, FSInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import operations
from bot.config import Settings
from bot.digest import fmt
from bot.digest.alerts import alert_link
from bot.digest.text import small_numbers, verdict
from bot.filters import HasText, IsManager, message_text
from bot.i18n import Translate
from bot.services import Services
from storage.analytics.campaigns import campaign_info
from storage.analytics.key_partners import key_partners
from storage.analytics.report import current_campaign, current_nps
from storage.export import export_to_path
from storage.export_kpis import export_kpis_to_path
from storage.ids import parse_id
from storage.models import utcnow
from storage.repo import alerts, announcements, partner_posts
from storage.unit_of_work import UnitOfWork

COMMANDS = ("nps", "report", "digest", "alerts", "export", "announce")
ALERTS_LISTED = 20


class Announce(StatesGroup):
    """Waiting for the text of an announcement (data: campaign_id)."""

    text = State()


async def help_in_group(message: Message, _: Translate) -> None:
    """/help in the managers' chat (a private /help is the start module's): managers' commands."""
    await message.answer(_("help-manager"))


async def nps(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    locale: str,
    _: Translate,
) -> None:
    """Current NPS (see storage.analytics.campaigns), of one segment when named."""
    segment = (command.args or "").strip() or None
    figure = await current_nps(session, segment)
    if figure is None:
        await message.answer(_("nps-none"))
        return
    title = fmt.clip(figure.campaign.title, 80)
    value = figure.nps
    if segment is not None and value.n < settings.min_group_size:
        await message.answer(
            _(
                "nps-segment-small",
                segment=html.quote(segment),
                title=title,
                n=str(value.n),
                min=str(settings.min_group_size),
            )
        )
        return
    args = {"title": title, "nps": fmt.signed(value.nps), "n": value.n, **small_numbers(value, _, locale)}
    if segment is None:
        lines = [_("nps-current", **args)]
    else:
        lines = [_("nps-current-segment", segment=html.quote(segment), **args)]
    vs = figure.vs_previous
    if vs is not None and (segment is None or vs.previous.n >= settings.min_group_size):
        delta = fmt.signed(vs.change.delta, 1, locale)
        lines.append(_("nps-vs", title=fmt.clip(vs.label, 80), delta=delta, verdict=verdict(vs.change, _)))
    await message.answer("\n".join(lines))


async def report(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    services: Services,
    locale: str,
    _: Translate,
) -> None:
    """The full digest of a campaign (the current one by default) to whoever asked."""
    # Imported here: the digest pulls in matplotlib, loaded on first use rather than at start.
    from bot.digest.build import DigestOptions, campaign_digest
    from bot.digest.deliver import remember_shown, send_digest

    campaign_id = parse_id(command.args)
    if command.args and campaign_id is None:
        await message.answer(_("report-usage"))
        return
    if campaign_id is None:
        current = await current_campaign(uow.session)
        if current is None:
            await message.answer(_("report-empty"))
            return
        campaign_id = current.id
    await uow.commit()  # release our connection: the report opens its own sessions
    options = DigestOptions.from_settings(services.settings, locale)
    digest = await campaign_digest(services.reports, services.translator, options, campaign_id, full=True)
    if digest is None:
        await message.answer(_("report-unknown", id=str(campaign_id)))
        return
    assert message.bot is not None
    posted = await send_digest(message.bot, message.chat.id, digest)
    await remember_shown(services, digest, posted)  # an erasure edits the parts quoting a partner


async def digest(message: Message, uow: UnitOfWork, services: Services, _: Translate) -> None:
    """Push the weekly digest to the managers' chat now."""
    from bot.digest.deliver import push_weekly  # matplotlib on first use, as above

    manager_chat = services.settings.manager_chat_id
    if manager_chat is None:
        await message.answer(_("digest-no-chat"))
        return
    await uow.commit()  # the digest opens its own sessions
    try:
        await push_weekly(services)
    except TelegramAPIError as exc:
        await message.answer(_("digest-failed", error=html.quote(str(exc))))
        return
    if message.chat.id != manager_chat:
        await message.answer(_("digest-sent"))


async def open_alerts(message: Message, uow: UnitOfWork, settings: Settings, _: Translate) -> None:
    """Open detractor alerts, key partners' first, then oldest first, with links to them."""
    session = uow.session
    key = await key_partners(session)
    views, total = await alerts.open_alerts(session, limit=ALERTS_LISTED, first=key.ids)
    if not views:
        await message.answer(_("alerts-none"))
        return
    lines = [_("alerts-title", n=str(total))]
    for view in views:
        args = {
            "score": str(view.score),
            "who": fmt.partner_label(view.partner, _),
            "date": fmt.when(view.created_at, settings.tz),
        }
        if view.partner_id in key.ids:
            args["who"] = _("alerts-key") + " " + args["who"]
        link = alert_link(view.chat_id, view.message_id)
        if link:
            lines.append(_("alerts-item", link=f'<a href="{link}">{_("alerts-link")}</a>', **args))
        else:
            lines.append(_("alerts-item-nolink", **args))
    if total > len(views):
        lines.append(_("alerts-more", n=str(total - len(views))))
    listed = await message.answer("\n".join(lines), disable_web_page_preview=True)
    # It names partners: an erasure rewrites it (bot/erasure.py).
    await partner_posts.remember(session, [v.partner_id for v in views], listed.chat.id, [listed.message_id])
    await uow.commit()


KPIS = -1  # the "campaign" of /export kpis: every campaign's retention table


def _export_args(args: str | None) -> tuple[str, int | None] | None:
    """``[csv|xlsx] [campaign id | kpis]`` in any order; None when something else was given."""
    kind, campaign_id = "csv", None
    for token in (args or "").split():
        if token.lower() == "kpis" and campaign_id is None:
            campaign_id = KPIS
        elif token.lower() in ("csv", "xlsx"):
            kind = token.lower()
        elif (parsed := parse_id(token)) is not None and campaign_id is None:
            campaign_id = parsed
        else:
            return None
    return kind, campaign_id


async def export(
    message: Message, command: CommandObject, uow: UnitOfWork, services: Services, _: Translate
) -> None:
    """Answers as CSV (UTF-8 with BOM) or XLSX, all campaigns or one."""
    parsed = _export_args(command.args)
    if parsed is None:
        await message.answer(_("ex-usage"))
        return
    kind, campaign_id = parsed
    if campaign_id == KPIS:
        await _export_kpis(message, uow, services, _, kind)
        return
    title = None
    if campaign_id is not None:
        info = await campaign_info(uow.session, campaign_id)
        if info is None:
            await message.answer(_("ex-unknown", id=str(campaign_id)))
            return
        title = info.title
    await uow.commit()  # the export streams on a session of its own
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="nps-export-"))
    try:
        stamp = utcnow().strftime("%Y%m%d-%H%M")
        name = f"nps-{'all' if campaign_id is None else campaign_id}-{stamp}.{kind}"
        path = folder / name
        async with services.reports() as reader:
            rows = await export_to_path(
                reader,
                path,
                campaign_id=campaign_id,
                fmt=kind,
                name_of=lambda key: _(f"area-{key}"),  # area names in the asking manager's language
                tz=services.settings.tz,
            )
        caption = (
            _("ex-caption-campaign", title=fmt.clip(title, 80), rows=rows)
            if title is not None
            else _("ex-caption", rows=rows)
        )
        await message.answer_document(FSInputFile(path, filename=name), caption=caption)
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def _export_kpis(
    message: Message, uow: UnitOfWork, services: Services, _: Translate, kind: str
) -> None:
    """/export kpis: every campaign's retention table by NPS category."""
    await uow.commit()  # the export streams on a session of its own
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="nps-export-"))
    try:
        name = f"nps-kpis-{utcnow().strftime('%Y%m%d-%H%M')}.{kind}"
        path = folder / name
        async with services.reports() as reader:
            campaigns = await export_kpis_to_path(reader, path, services.settings.tz, fmt=kind)
        await message.answer_document(
            FSInputFile(path, filename=name), caption=_("ex-caption-kpis", campaigns=str(campaigns))
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def announce(
    message: Message, command: CommandObject, uow: UnitOfWork, state: FSMContext, _: Translate
) -> None:
    """Start an announcement to a campaign's respondents: the next message is its text."""
    session = uow.session
    campaign_id = parse_id(command.args)
    if campaign_id is None:
        await message.answer(_("an-usage"))
        return
    info = await campaign_info(session, campaign_id)
    if info is None:
        await message.answer(_("an-unknown", id=str(campaign_id)))
        return
    audience = await announcements.respondents(session, campaign_id)
    if not audience:
        await message.answer(_("an-no-respondents", id=str(campaign_id)))
        return
    await state.set_state(Announce.text)
    await state.set_data({"campaign_id": campaign_id})
    await uow.commit()
    # ForceReply: with privacy mode on, a group only shows the bot replies to its own messages.
    await message.answer(
        _("an-prompt", n=str(len(audience)), title=fmt.clip(info.title, 80)),
        reply_markup=ForceReply(selective=True),
    )


async def announce_cancelled(message: Message, uow: UnitOfWork, state: FSMContext, _: Translate) -> None:
    """Drop the announcement being written."""
    await state.clear()
    await uow.commit()
    await message.answer(_("an-cancelled"))


async def announce_text(
    message: Message, uow: UnitOfWork, state: FSMContext, services: Services, _: Translate
) -> None:
    """Store the announcement and queue it for every reachable respondent."""
    session = uow.session
    text = (message_text(message) or "").strip()
    if len(text) > announcements.MAX_TEXT:
        await message.answer(_("an-too-long", length=len(text), max=str(announcements.MAX_TEXT)))
        return
    campaign_id = int((await state.get_data()).get("campaign_id", 0))
    await state.clear()
    if await campaign_info(session, campaign_id) is None:
        await uow.commit()  # the announcement being written is dropped
        await message.answer(_("an-unknown", id=str(campaign_id)))
        return
    user_id = message.from_user.id if message.from_user else None
    row_id, queued = await operations.announce(services, session, campaign_id, text, user_id)
    await uow.commit()
    await message.answer(_("an-queued", id=str(row_id), n=str(queued)))


async def announce_not_text(message: Message, _: Translate) -> None:
    """A sticker or photo where the announcement text is expected."""
    await message.answer(_("an-text-only"))


async def refuse(message: Message, _: Translate) -> None:
    """Anyone who is neither an admin nor in the managers' chat."""
    await message.answer(_("mgr-refused"))


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(help_in_group, Command("help"), IsManager())
    router.message.register(nps, Command("nps"), IsManager())
    router.message.register(report, Command("report"), IsManager())
    router.message.register(digest, Command("digest"), IsManager())
    router.message.register(open_alerts, Command("alerts"), IsManager())
    router.message.register(export, Command("export"), IsManager())
    router.message.register(announce, Command("announce"), IsManager())
    router.message.register(announce_cancelled, StateFilter(Announce.text), Command("cancel"))
    router.message.register(announce_text, StateFilter(Announce.text), HasText(), IsManager())
    router.message.register(announce_not_text, StateFilter(Announce.text), IsManager())
    router.message.register(refuse, Command(*COMMANDS))
    return router

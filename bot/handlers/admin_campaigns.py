"""Admin campaign commands: /newcampaign, /launch, /pause, /resume, /close, /remind, /campaigns, /schedule.

Every command is for ADMIN_IDS only; anyone else gets a refusal and nothing changes. Campaign ids
in commands and buttons are only claims: each is checked against the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import operations
from bot.callbacks import CANCEL, LAUNCH, PREVIEW, CampaignCb
from bot.digest.split import TELEGRAM_LIMIT
from bot.filters import IsAdmin
from bot.i18n import Translate, Translator
from bot.keyboards.campaigns import draft_keyboard
from bot.keyboards.survey import score_keyboard
from bot.long_messages import answer_long
from bot.sending.texts import invitation_text, progress_text, split_text
from bot.services import Services
from storage.ids import parse_id
from storage.models import Campaign, utcnow
from storage.models import campaign as c
from storage.repo import campaigns
from storage.repo.campaigns import CampaignError
from storage.repo.deliveries import Counts
from storage.unit_of_work import UnitOfWork

COMMANDS = ("newcampaign", "launch", "pause", "resume", "close", "remind", "campaigns", "schedule")
KEY = re.compile(r"^[A-Za-z_]+=")
YES = ("yes", "y", "true", "1", "да")
NO = ("no", "n", "false", "0", "нет")


@dataclass
class NewCampaign:
    """Parsed /newcampaign arguments."""

    title: str
    segments: list[str] = field(default_factory=list)
    sample: str | None = None
    force: bool = False


def parse_new_campaign(args: str) -> NewCampaign | str:
    """The arguments, or the token that could not be understood ("" when the title is missing)."""
    tokens = args.split()
    first = next((i for i, t in enumerate(tokens) if KEY.match(t)), len(tokens))
    parsed = NewCampaign(title=" ".join(tokens[:first]))
    if not parsed.title:
        return ""
    for token in tokens[first:]:
        key, _sep, value = token.partition("=")
        key, value = key.lower(), value.strip()
        if key in ("segment", "segments") and value:
            parsed.segments = [s.strip() for s in value.split(",") if s.strip()]
        elif key == "sample" and campaigns.valid_sample(value):
            parsed.sample = value
        elif key == "force" and value.lower() in YES + NO:
            parsed.force = value.lower() in YES
        else:
            return token
    return parsed


def _error(_: Translate, exc: CampaignError) -> str:
    args = dict(exc.args_)
    if "status" in args:
        args["status"] = _(f"camp-status-{args['status']}")
    return _(exc.key, **args)


async def _campaign_arg(
    message: Message, command: CommandObject, session: AsyncSession, _: Translate
) -> Campaign | None:
    """The campaign named by the command's argument; replies with the problem when there is none."""
    campaign_id = parse_id(command.args)
    if campaign_id is None:
        await message.answer(_("camp-usage", command=command.command))
        return None
    campaign = await campaigns.get(session, campaign_id)
    if campaign is None:
        await message.answer(_("camp-err-unknown", id=str(campaign_id)))
    return campaign


async def _launch(
    message: Message, uow: UnitOfWork, services: Services, campaign: Campaign, _: Translate, locale: str
) -> bool:
    """Launch and post the progress message the sender keeps up to date; False if it failed."""
    session = uow.session
    try:
        audience = await operations.launch(services, session, campaign, now=utcnow())
    except CampaignError as exc:
        await uow.commit()
        await message.answer(_error(_, exc))
        return False
    await uow.commit()
    counts = Counts(total=audience, pending=audience)
    text = progress_text(
        _, campaign_id=campaign.id, title=campaign.title, status=c.RUNNING, counts=counts, rate=None
    )
    progress = await message.answer(text)
    await campaigns.set_progress_message(session, campaign.id, progress.chat.id, progress.message_id)
    await uow.commit()
    if services.sender is not None:
        services.sender.watch(campaign.id, progress.chat.id, progress.message_id, locale)
    return True


async def new_campaign(
    message: Message, command: CommandObject, uow: UnitOfWork, services: Services, _: Translate
) -> None:
    """Create a draft and show its audience with Launch / Preview / Cancel."""
    session = uow.session
    settings = services.settings
    parsed = parse_new_campaign(command.args or "")
    if isinstance(parsed, str):
        known = await campaigns.known_segments(session)
        usage = _(
            "newcamp-usage",
            segments=_("newcamp-known-segments", segments=html.quote(", ".join(known))) if known else "",
            days=str(settings.min_days_between_surveys),
        )
        bad = _("newcamp-bad-arg", arg=html.quote(parsed)) + "\n\n" if parsed else ""
        await answer_long(message, bad + usage)  # the known segments can be many
        return
    user = message.from_user
    # The audience of the campaign as it would be (not added to the session: no draft yet).
    would_be = Campaign(
        segments=",".join(parsed.segments) if parsed.segments else None,
        sample=parsed.sample,
        force=parsed.force,
    )
    audience = await campaigns.audience_size(
        session, would_be, now=utcnow(), min_days=settings.min_days_between_surveys
    )
    filters = []
    if parsed.segments:
        filters.append(_("newcamp-filter-segments", segments=html.quote(", ".join(parsed.segments))))
    if parsed.sample:
        filters.append(_("newcamp-filter-sample", sample=html.quote(parsed.sample)))
    if parsed.force:
        filters.append(_("newcamp-filter-force"))
    pilots = await campaigns.open_pilots(session, would_be)
    if pilots:
        filters.append(_("newcamp-filter-wave", pilots=", ".join(f"#{p}" for p in pilots)))

    def reply(campaign_id: int) -> str:
        return _(
            "newcamp-created",
            id=str(campaign_id),
            title=html.quote(parsed.title[:200]),
            audience=audience,
            filters="".join("\n" + f for f in filters),
        )

    # A reply Telegram would refuse must not leave a draft nobody was shown (id digits as a max).
    size = len(reply(10**12))  # raw HTML: never shorter than the text Telegram counts
    if size > TELEGRAM_LIMIT:
        await message.answer(_("newcamp-too-long", length=size, limit=TELEGRAM_LIMIT))
        return
    campaign = await campaigns.create_draft(
        session,
        parsed.title,
        segments=parsed.segments,
        sample=parsed.sample,
        force=parsed.force,
        created_by=user.id if user else None,
    )
    await uow.commit()
    await message.answer(reply(campaign.id), reply_markup=draft_keyboard(_, campaign.id))


async def draft_button(
    callback: CallbackQuery,
    callback_data: CampaignCb,
    uow: UnitOfWork,
    services: Services,
    _: Translate,
    locale: str,
) -> None:
    """Launch / Preview / Cancel under a draft, checked against the database."""
    session = uow.session
    campaign = await campaigns.get(session, callback_data.campaign_id)
    if campaign is None:
        await callback.answer(_("camp-err-unknown", id=str(callback_data.campaign_id)), show_alert=True)
        return
    if campaign.status != c.DRAFT:
        status = _(f"camp-status-{campaign.status}")
        await callback.answer(_("camp-err-not-draft", id=str(campaign.id), status=status), show_alert=True)
        return
    message = callback.message if isinstance(callback.message, Message) else None
    if callback_data.action == PREVIEW:
        await callback.answer(_("camp-preview-sent"))
        if message is not None:
            await message.answer(invitation_text(_), reply_markup=score_keyboard(campaign.id))
        return
    if callback_data.action == CANCEL:
        await campaigns.cancel(session, campaign)
        await uow.commit()
        await callback.answer(_("camp-cancelled", id=str(campaign.id)))
        if message is not None:
            await message.edit_reply_markup(reply_markup=None)
            await message.answer(_("camp-cancelled", id=str(campaign.id)))
        return
    await callback.answer()
    if message is not None and await _launch(message, uow, services, campaign, _, locale):
        await message.edit_reply_markup(reply_markup=None)


async def launch_cmd(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    services: Services,
    _: Translate,
    locale: str,
) -> None:
    """Launch a draft by id."""
    campaign = await _campaign_arg(message, command, uow.session, _)
    if campaign is not None:
        await _launch(message, uow, services, campaign, _, locale)


async def state_cmd(
    message: Message, command: CommandObject, uow: UnitOfWork, services: Services, _: Translate
) -> None:
    """Pause, resume, close a campaign or send its reminder now."""
    session = uow.session
    campaign = await _campaign_arg(message, command, session, _)
    if campaign is None:
        return
    cid = str(campaign.id)
    try:
        if command.command == "pause":
            await operations.pause(services, session, campaign)
            text = _("camp-paused", id=cid)
        elif command.command == "resume":
            await operations.resume(services, session, campaign)
            text = _("camp-resumed", id=cid)
        elif command.command == "close":
            dropped = await operations.close(services, session, campaign, now=utcnow())
            text = _("camp-closed", id=cid, dropped=str(dropped))
        else:
            if campaign.status != c.RUNNING:
                raise CampaignError("camp-err-not-running", id=cid, status=campaign.status)
            added = await operations.remind(services, session, campaign.id, invited_before=None)
            text = _("camp-reminded", id=cid, count=str(added)) if added else _("camp-remind-none", id=cid)
    except CampaignError as exc:
        text = _error(_, exc)
    await uow.commit()
    await message.answer(text)


async def list_campaigns(message: Message, session: AsyncSession, _: Translate) -> None:
    """Campaigns with audience, delivery, response rate and NPS so far."""
    rows = await campaigns.list_stats(session)
    if not rows:
        await message.answer(_("camps-empty"))
        return
    lines = [_("camps-title")]
    for row in rows:
        n = row.counts
        rate = row.response_rate
        lines.append(
            _(
                "camps-line",
                id=str(row.id),
                title=html.quote(row.title),
                status=_(f"camp-status-{row.status}"),
                audience=str(n.total),
                sent=str(n.sent),
                blocked=str(n.blocked),
                failed=str(n.failed),
                responded=str(row.responded),
                rate=f"{rate * 100:.0f}%" if rate is not None else "—",
                nps=f"{row.nps:+.0f}" if row.nps is not None else "—",
            )
        )
    for chunk in split_text(lines, separator="\n\n"):
        await message.answer(chunk)


async def schedule(
    message: Message, services: Services, translator: Translator, locale: str, _: Translate
) -> None:
    """Every scheduled job and its next run, in TIMEZONE."""
    jobs = sorted(services.jobs, key=lambda j: j.id)
    if not jobs:
        await message.answer(_("schedule-none"))
        return
    tz = services.settings.tz
    now = utcnow()
    lines = [_("schedule-title", tz=html.quote(services.settings.timezone))]
    for job in jobs:
        key = f"job-{job.id}"
        name = _(key) if translator.has(locale, key) else html.quote(job.description or job.id)
        nxt = job.next_run(now)
        when = nxt.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if nxt else _("schedule-off")
        lines.append(_("schedule-line", name=name, next=when))
    for chunk in split_text(lines):
        await message.answer(chunk)


async def refuse(message: Message, _: Translate) -> None:
    """Anyone but an admin."""
    await message.answer(_("admin-only"))


async def refuse_button(callback: CallbackQuery, _: Translate) -> None:
    """A campaign button pressed by a non-admin (or with an unknown action)."""
    await callback.answer(_("admin-only-button"), show_alert=True)


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(new_campaign, Command("newcampaign"), IsAdmin())
    router.callback_query.register(
        draft_button, CampaignCb.filter(F.action.in_((LAUNCH, PREVIEW, CANCEL))), IsAdmin()
    )
    router.message.register(launch_cmd, Command("launch"), IsAdmin())
    router.message.register(state_cmd, Command("pause", "resume", "close", "remind"), IsAdmin())
    router.message.register(list_campaigns, Command("campaigns"), IsAdmin())
    router.message.register(schedule, Command("schedule"), IsAdmin())
    router.message.register(refuse, Command(*COMMANDS))
    router.callback_query.register(refuse_button, CampaignCb.filter())
    return router

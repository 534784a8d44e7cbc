"""/start (with or without an invite code) and /help."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.filters import PrivateChat
from bot.i18n import Translate
from bot.staff import in_managers_chat, is_staff
from storage.models.partner import STAFF
from storage.repo import partners
from storage.repo.partners import PartnerRef
from storage.unit_of_work import UnitOfWork

# "/start partner": an admin or manager who wants to be surveyed and counted as a partner too.
OPT_IN_ARG = "partner"


async def start_with_code(
    message: Message, command: CommandObject, uow: UnitOfWork, locale: str, _: Translate
) -> None:
    """Link the user to the partner record an admin created (invite code)."""
    session = uow.session
    user = message.from_user
    assert user is not None
    code = (command.args or "").strip()
    if code.lower() == OPT_IN_ARG:
        await partners.opt_in(session, user.id, name=user.full_name, username=user.username, language=locale)
        await uow.commit()
        await message.answer(_("start-opted-in"))
        await message.answer(_("start-welcome", name=html.quote(user.first_name)))
        return
    target = await partners.by_invite_code(session, code) if code else None
    used_by_other = target is not None and target.invite_used_at is not None and target.telegram_id != user.id
    if target is None or used_by_other or target.erased_at is not None:
        await message.answer(_("start-bad-code"))
        return
    partner = await partners.link_invite(
        session, target, user.id, name=user.full_name, username=user.username, language=locale
    )
    await uow.commit()
    await message.answer(_("start-linked", partner=html.quote(partner.name or partner.external_id or "")))
    await message.answer(_("start-welcome", name=html.quote(user.first_name)))


async def start(
    message: Message,
    uow: UnitOfWork,
    partner: PartnerRef | None,
    settings: Settings,
    locale: str,
    _: Translate,
) -> None:
    """Register the user as a partner (or opt them back in); admins and managers as staff."""
    user = message.from_user
    assert user is not None
    was_out = partner is not None and (partner.opted_out or partner.blocked_at is not None)
    staff = await is_staff(message.bot, uow.session, settings, user.id)
    record = await partners.register(
        uow.session, user.id, name=user.full_name, username=user.username, language=locale, staff=staff
    )
    await uow.commit()
    if record.role == STAFF:
        await message.answer(_("start-staff", name=html.quote(user.first_name)))
        return
    if was_out:
        await message.answer(_("start-resubscribed"))
    await message.answer(_("start-welcome", name=html.quote(user.first_name)))


async def help_(message: Message, session: AsyncSession, settings: Settings, _: Translate) -> None:
    """What the user can do: a partner's commands, an admin's and a manager's too."""
    user = message.from_user
    if user is not None and settings.is_admin(user.id):
        await message.answer("\n\n".join((_("help-admin"), _("help-manager"), _("help"))))
    elif user is not None and await in_managers_chat(message.bot, session, settings, user.id):
        await message.answer("\n\n".join((_("help-manager"), _("help"))))
    else:
        await message.answer(_("help"))


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat())
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    return router

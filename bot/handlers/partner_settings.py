"""The partner's own choices: /cancel, /stop, /language, /forget_me."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import operations
from bot.callbacks import ConfirmCb, LanguageCb
from bot.config import Settings
from bot.filters import PrivateChat
from bot.i18n import Translate, Translator
from bot.keyboards.settings import confirm_keyboard, language_keyboard
from bot.services import Services
from bot.staff import is_staff
from bot.states import Survey
from storage.repo import partners
from storage.repo.partners import PartnerRef
from storage.unit_of_work import UnitOfWork


async def cancel(message: Message, uow: UnitOfWork, state: FSMContext, _: Translate) -> None:
    """Leave the survey (what was answered stays) or whatever else is in progress."""
    current = await state.get_state()
    if current is None:
        await message.answer(_("cancel-nothing"))
        return
    await state.clear()
    await uow.commit()
    in_survey = current.startswith(f"{Survey.__full_group_name__}:")
    await message.answer(_("cancel-done" if in_survey else "cancel-other"))


async def stop(message: Message, _: Translate) -> None:
    """Ask before opting out of surveys."""
    await message.answer(_("stop-confirm"), reply_markup=confirm_keyboard(_, "stop"))


async def forget_me(message: Message, partner: PartnerRef | None, _: Translate) -> None:
    """Ask before erasing personal data, saying exactly what happens."""
    if partner is None:
        await message.answer(_("forget-nothing"))
        return
    await message.answer(_("forget-confirm"), reply_markup=confirm_keyboard(_, "forget"))


async def confirmed(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    uow: UnitOfWork,
    state: FSMContext,
    partner: PartnerRef | None,
    services: Services,
    _: Translate,
) -> None:
    """Apply (or drop) a confirmed /stop or /forget_me."""
    if callback_data.action not in ("stop", "forget") or partner is None:
        await callback.answer(_("confirm-stale"), show_alert=True)
        return
    if callback_data.action == "stop":
        if callback_data.yes:
            await partners.set_opted_out(uow.session, partner.id, True)
            await state.clear()
        key = "stop-done" if callback_data.yes else "stop-kept"
    else:
        if callback_data.yes:
            # No state.clear(): erasure deleted the FSM keys, clearing would write one back.
            await operations.forget_partner(services, uow.session, partner.id, uow=uow)
        key = "forget-done" if callback_data.yes else "forget-kept"
    await uow.commit()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(_(key))


async def language(message: Message, _: Translate) -> None:
    """Offer Russian or English."""
    await message.answer(_("language-choose"), reply_markup=language_keyboard())


async def language_chosen(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    uow: UnitOfWork,
    partner: PartnerRef | None,
    translator: Translator,
    settings: Settings,
) -> None:
    """Switch the language and confirm in the new one."""
    if callback_data.lang not in ("ru", "en"):
        await callback.answer(translator.get("ru", "bad-button"), show_alert=True)
        return
    user = callback.from_user
    session = uow.session
    if partner is None:  # registered with the chosen language
        staff = await is_staff(callback.bot, session, settings, user.id)
        await partners.register(
            session,
            user.id,
            name=user.full_name,
            username=user.username,
            language=callback_data.lang,
            staff=staff,
        )
    else:
        await partners.set_language(session, partner.id, callback_data.lang)
    await uow.commit()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(translator.get(callback_data.lang, "language-set"))


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat())
    router.callback_query.filter(PrivateChat())
    router.message.register(cancel, Command("cancel"))
    router.message.register(stop, Command("stop"))
    router.message.register(forget_me, Command("forget_me"))
    router.callback_query.register(confirmed, ConfirmCb.filter())
    router.message.register(language, Command("language"))
    router.callback_query.register(language_chosen, LanguageCb.filter())
    return router

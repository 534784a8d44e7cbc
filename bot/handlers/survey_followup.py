"""The survey after the score: the open question, the driver areas and the thanks.

Each step stores, commits through ``uow.commit()``, then replies, as in :mod:`bot.handlers.survey`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import held_replies, insight_hooks
from bot.callbacks import DoneCb, DriverCb, SkipCb
from bot.config import Settings
from bot.filters import CommandFree, HasText, PrivateChat, message_text
from bot.handlers.survey import MAX_COMMENT, ack, edit_text
from bot.i18n import Translate
from bot.keyboards.survey import drivers_keyboard
from bot.services import Services
from bot.states import Survey, save_survey_data, survey_data
from bot.survey_definition import DRIVERS_QUESTION, follow_up
from storage.models.response import PROMOTER, STAGE_COMMENT, STAGE_DRIVERS
from storage.repo import responses
from storage.repo.partners import PartnerRef
from storage.repo.responses import Answer
from storage.repo.themes import store_comment_themes
from storage.text import clean_text
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def _move_to_drivers(
    session: AsyncSession, response: Answer, state: FSMContext, comment: str | None
) -> None:
    """Store the comment (None: skipped), move the FSM on.

    All before the first reply, so the step costs one transaction."""
    await store_comment_themes(session, response.id, comment)  # classified once, on arrival
    await responses.set_comment(session, response, comment)
    await state.set_state(Survey.drivers)


def _drivers_question(
    uow: UnitOfWork, message: Message, _: Translate, response: Answer, chosen: list[str]
) -> SendMessage:
    """Question 3, declared as the reply this update owes (bot/held_replies.py)."""
    question = message.answer(_(DRIVERS_QUESTION), reply_markup=drivers_keyboard(_, response.id, chosen))
    held_replies.expect(uow, question)
    return question


async def comment_given(
    message: Message,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
) -> None:
    """Store the open answer (plain text, at most MAX_COMMENT characters)."""
    text = clean_text(message_text(message) or "").strip()
    if len(text) > MAX_COMMENT:
        await message.answer(_("bad-comment-long", length=len(text), max=str(MAX_COMMENT)))
        return
    data = await survey_data(state)
    found = await responses.owned_with_areas(session, data.response_id or 0, partner.id) if partner else None
    if found is None:
        await state.clear()
        await message.answer(_("unknown-input"))
        return
    response, chosen = found  # the areas already chosen: a re-answer shows them ticked
    await _move_to_drivers(session, response, state, text or None)
    question = _drivers_question(uow, message, _, response, chosen)
    await uow.commit()
    await edit_text(message, message.chat.id, data.comment_message_id, _(follow_up(response.category)))
    await question


async def comment_not_text(message: Message, _: Translate) -> None:
    """Only text is a comment."""
    await message.answer(_("bad-comment-type"))


async def _response_at(
    callback: CallbackQuery,
    session: AsyncSession,
    partner: PartnerRef | None,
    response_id: int,
    stage: str,
    _: Translate,
) -> tuple[Answer, list[str]] | None:
    """The partner's own response at ``stage`` and its chosen areas; otherwise answer the
    button and return None."""
    found = await responses.owned_with_areas(session, response_id, partner.id) if partner else None
    if found is None:
        await ack(callback, _("bad-button"))
        return None
    if found[0].stage != stage:
        await ack(callback, _("survey-already-done"))
        return None
    return found


async def comment_skipped(
    callback: CallbackQuery,
    callback_data: SkipCb,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
) -> None:
    """Skip the open question."""
    found = await _response_at(callback, session, partner, callback_data.response_id, STAGE_COMMENT, _)
    if found is None:
        return
    response, chosen = found
    await _move_to_drivers(session, response, state, None)
    data = await survey_data(state)
    await save_survey_data(state, replace(data, response_id=response.id, campaign_id=response.campaign_id))
    message = callback.message if isinstance(callback.message, Message) else None
    question = _drivers_question(uow, message, _, response, chosen) if message else None
    await uow.commit()
    await ack(callback)
    if message is not None and question is not None:
        asked = _(follow_up(response.category))
        await edit_text(
            message, message.chat.id, message.message_id, f"{asked}\n\n<i>{_('q-comment-skipped')}</i>"
        )
        await question


async def driver_toggled(
    callback: CallbackQuery,
    callback_data: DriverCb,
    uow: UnitOfWork,
    session: AsyncSession,
    partner: PartnerRef | None,
    _: Translate,
) -> None:
    """Toggle one area; the keyboard shows ✓ on the chosen ones."""
    found = await _response_at(callback, session, partner, callback_data.response_id, STAGE_DRIVERS, _)
    if found is None:
        return
    response, chosen = found
    try:
        chosen = await responses.toggle_driver(session, response, chosen, callback_data.area)
    except ValueError:
        await ack(callback, _("bad-button"))
        return
    await uow.commit()
    await ack(callback)
    if isinstance(callback.message, Message) and callback.message.bot:
        try:
            await callback.message.edit_reply_markup(reply_markup=drivers_keyboard(_, response.id, chosen))
        except TelegramBadRequest as exc:
            log.debug("drivers keyboard not edited: %s", exc)


async def drivers_done(
    callback: CallbackQuery,
    callback_data: DoneCb,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
    settings: Settings,
    services: Services,
) -> None:
    """Finish: close the keyboards, thank the partner in place, tell the managers' side."""
    found = await _response_at(callback, session, partner, callback_data.response_id, STAGE_DRIVERS, _)
    if found is None:
        return
    response, areas = found
    await responses.complete(session, response)
    await state.clear()
    await uow.commit()
    await ack(callback)
    if isinstance(callback.message, Message):
        chat_id = callback.message.chat.id
        summary = (
            _("q-drivers-chosen", areas=", ".join(_(f"area-{a}") for a in areas))
            if areas
            else _("q-drivers-none")
        )
        await edit_text(
            callback.message, chat_id, response.question_message_id, _("q-score-final", score=response.score)
        )
        # The thanks replaces the areas question rather than arriving as one more message.
        text = f"{_(DRIVERS_QUESTION)}\n\n<i>{summary}</i>\n\n{_('thanks')}"
        if response.category == PROMOTER and settings.referral_url:
            text += "\n\n" + _("thanks-referral", url=html.quote(settings.referral_url))
        if not await edit_text(callback.message, chat_id, callback.message.message_id, text):
            await callback.message.answer(text)  # the areas message is gone: thank in a new one
    if uow.has_pending():  # the hook opens its own session; ours must not hold the connection
        await uow.commit()
    await insight_hooks.on_response_completed(services, response.id)


async def drivers_expected(message: Message, _: Translate) -> None:
    """Text (or anything) while the areas keyboard is open."""
    await message.answer(_("bad-drivers-text"))


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), CommandFree("survey"))
    router.callback_query.filter(PrivateChat())
    router.message.register(comment_given, StateFilter(Survey.comment), HasText())
    router.message.register(comment_not_text, StateFilter(Survey.comment))
    router.callback_query.register(comment_skipped, SkipCb.filter())
    router.callback_query.register(driver_toggled, DriverCb.filter())
    router.callback_query.register(drivers_done, DoneCb.filter())
    router.message.register(drivers_expected, StateFilter(Survey.drivers))
    return router

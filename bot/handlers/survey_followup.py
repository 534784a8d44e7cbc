"""The survey after the score: its open questions, the driver areas and the thanks.

Generic over the steps of bot/survey_definition.py: a handler stores the step the partner is
at, finds the next one from the definition, commits through ``uow.commit()``, then replies
(as in :mod:`bot.handlers.survey`). After the last step the partner is thanked.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import insight_hooks
from bot.callbacks import DoneCb, DriverCb, SkipCb
from bot.config import Settings
from bot.filters import CommandFree, HasText, PrivateChat, message_text
from bot.handlers.survey_steps import MAX_COMMENT, ack, declare_question, edit_text, send_question
from bot.i18n import Translate
from bot.keyboards.survey import drivers_keyboard
from bot.services import Services
from bot.states import save_survey_data, survey_data
from bot.survey_definition import AREAS, OPEN_TEXT, SURVEY, Step, SurveyDefinition
from storage.models.response import PROMOTER
from storage.repo import responses
from storage.repo.partners import PartnerRef
from storage.repo.responses import Answer
from storage.repo.themes import store_comment_themes
from storage.text import clean_text
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def _store_open(
    session: AsyncSession,
    survey: SurveyDefinition,
    step: Step,
    response: Answer,
    state: FSMContext,
    text: str | None,
) -> Step | None:
    """Store an open answer (None: skipped) and move the FSM on; returns the next step (None:
    the survey is finished, and stored as such). All before the first reply, so the step costs
    one transaction."""
    assert step.column is not None  # SurveyDefinition checks every open step names one
    if step.classified:
        await store_comment_themes(session, response.id, text)  # classified once, on arrival
    following = survey.after(step, response.category)
    stage = survey.stage_after(step, response.category)
    await responses.store_answer(session, response, step.column, text, stage)
    if following is None:
        await responses.complete(session, response)
        await state.clear()
    else:
        await state.set_state(survey.state_of(following))
    return following


async def _remember(state: FSMContext, response: Answer) -> None:
    """Keep the response a button answered in the FSM data (a later text answers it)."""
    data = await survey_data(state)
    await save_survey_data(state, replace(data, response_id=response.id, campaign_id=response.campaign_id))


def _thanks(_: Translate, settings: Settings, response: Answer) -> str:
    """The last words of the survey (promoters also get the referral link, if there is one)."""
    text = _("thanks")
    if response.category == PROMOTER and settings.referral_url:
        text += "\n\n" + _("thanks-referral", url=html.quote(settings.referral_url))
    return text


async def _completed(uow: UnitOfWork, services: Services, response: Answer) -> None:
    """Tell the managers' side a response is complete (after the partner was thanked)."""
    if uow.has_pending():  # the hook opens its own session; ours must not hold the connection
        await uow.commit()
    await insight_hooks.on_response_completed(services, response.id)


async def _thank_after_open(
    message: Message, _: Translate, settings: Settings, response: Answer
) -> None:
    """The survey ended with an open question: question 1 shows the final score, thanks follow."""
    final = _("q-score-final", score=response.score)
    await edit_text(message, message.chat.id, response.question_message_id, final)
    await message.answer(_thanks(_, settings, response))


async def open_answered(
    message: Message,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
    survey: SurveyDefinition,
    settings: Settings,
    services: Services,
) -> None:
    """Store the open answer (plain text, at most MAX_COMMENT characters), ask the next step."""
    text = clean_text(message_text(message) or "").strip()
    if len(text) > MAX_COMMENT:
        await message.answer(_("bad-comment-long", length=len(text), max=str(MAX_COMMENT)))
        return
    step = survey.at_state(await state.get_state())
    data = await survey_data(state)
    found = await responses.owned_with_areas(session, data.response_id or 0, partner.id) if partner else None
    if found is None or step is None or not step.asks(found[0].category):
        await state.clear()
        await message.answer(_("unknown-input"))
        return
    response, chosen = found  # the areas already chosen: a re-answer shows them ticked
    following = await _store_open(session, survey, step, response, state, text or None)
    question = declare_question(uow, message, _, following, response, chosen) if following else None
    await uow.commit()
    # The question keeps its wording and loses its Skip button.
    await edit_text(message, message.chat.id, data.comment_message_id, _(step.key(response.category)))
    if following is not None and question is not None:
        await send_question(question, following, state)
    else:
        await _thank_after_open(message, _, settings, response)
        await _completed(uow, services, response)


async def open_not_text(message: Message, _: Translate) -> None:
    """Only text answers an open question."""
    await message.answer(_("bad-comment-type"))


async def _response_at(
    callback: CallbackQuery,
    session: AsyncSession,
    partner: PartnerRef | None,
    response_id: int,
    survey: SurveyDefinition,
    kind: str,
    _: Translate,
) -> tuple[Answer, list[str], Step] | None:
    """The partner's own response waiting for a step of ``kind``, its chosen areas and that
    step; otherwise answer the button and return None."""
    found = await responses.owned_with_areas(session, response_id, partner.id) if partner else None
    if found is None:
        await ack(callback, _("bad-button"))
        return None
    response, chosen = found
    step = survey.at_stage(response.stage)
    if step is None or step.kind != kind or not step.asks(response.category):
        await ack(callback, _("survey-already-done"))
        return None
    return response, chosen, step


async def open_skipped(
    callback: CallbackQuery,
    callback_data: SkipCb,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
    survey: SurveyDefinition,
    settings: Settings,
    services: Services,
) -> None:
    """Skip the open question the response waits for."""
    found = await _response_at(callback, session, partner, callback_data.response_id, survey, OPEN_TEXT, _)
    if found is None:
        return
    response, chosen, step = found
    following = await _store_open(session, survey, step, response, state, None)
    if following is not None:
        await _remember(state, response)
    message = callback.message if isinstance(callback.message, Message) else None
    question = (
        declare_question(uow, message, _, following, response, chosen) if message and following else None
    )
    await uow.commit()
    await ack(callback)
    if message is not None:
        asked = _(step.key(response.category))
        await edit_text(
            message, message.chat.id, message.message_id, f"{asked}\n\n<i>{_('q-comment-skipped')}</i>"
        )
        if following is not None and question is not None:
            await send_question(question, following, state)
        else:
            await _thank_after_open(message, _, settings, response)
    if following is None:
        await _completed(uow, services, response)


async def driver_toggled(
    callback: CallbackQuery,
    callback_data: DriverCb,
    uow: UnitOfWork,
    session: AsyncSession,
    partner: PartnerRef | None,
    _: Translate,
    survey: SurveyDefinition,
) -> None:
    """Toggle one area; the keyboard shows ✓ on the chosen ones."""
    found = await _response_at(callback, session, partner, callback_data.response_id, survey, AREAS, _)
    if found is None:
        return
    response, chosen, _step = found
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
    survey: SurveyDefinition,
) -> None:
    """Areas chosen: ask the next step, or close the keyboards and thank the partner in place."""
    found = await _response_at(callback, session, partner, callback_data.response_id, survey, AREAS, _)
    if found is None:
        return
    response, areas, step = found
    following = survey.after(step, response.category)
    message = callback.message if isinstance(callback.message, Message) else None
    question = None
    if following is None:
        await responses.complete(session, response)
        await state.clear()
    else:
        await responses.move_on(session, response, following.name)
        await state.set_state(survey.state_of(following))
        await _remember(state, response)
        question = declare_question(uow, message, _, following, response) if message else None
    await uow.commit()
    await ack(callback)
    if message is not None:
        chat_id = message.chat.id
        summary = (
            _("q-drivers-chosen", areas=", ".join(_(f"area-{a}") for a in areas))
            if areas
            else _("q-drivers-none")
        )
        answered = f"{_(step.key(response.category))}\n\n<i>{summary}</i>"
        if following is not None and question is not None:
            await edit_text(message, chat_id, message.message_id, answered)
            await send_question(question, following, state)
        else:
            final = _("q-score-final", score=response.score)
            await edit_text(message, chat_id, response.question_message_id, final)
            # The thanks replaces the areas question rather than arriving as one more message.
            text = f"{answered}\n\n{_thanks(_, settings, response)}"
            if not await edit_text(message, chat_id, message.message_id, text):
                await message.answer(text)  # the areas message is gone: thank in a new one
    if following is None:
        await _completed(uow, services, response)


async def drivers_expected(message: Message, _: Translate) -> None:
    """Text (or anything) while the areas keyboard is open."""
    await message.answer(_("bad-drivers-text"))


def get_router(survey: SurveyDefinition = SURVEY) -> Router:
    """A fresh router with this module's handlers for ``survey`` (aiogram attaches a router to
    one parent for good)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), CommandFree("survey"))
    router.callback_query.filter(PrivateChat())
    open_states = survey.states_of(OPEN_TEXT)
    if open_states:
        router.message.register(open_answered, StateFilter(*open_states), HasText())
        router.message.register(open_not_text, StateFilter(*open_states))
    router.callback_query.register(open_skipped, SkipCb.filter())
    router.callback_query.register(driver_toggled, DriverCb.filter())
    router.callback_query.register(drivers_done, DoneCb.filter())
    areas_states = survey.states_of(AREAS)
    if areas_states:
        router.message.register(drivers_expected, StateFilter(*areas_states))
    return router

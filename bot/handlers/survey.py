"""The survey's first step: question 1 and the score (tapped or typed), then the next step.

The steps after the score (bot/survey_definition.py: the open questions, the driver areas) and
the thanks are in :mod:`bot.handlers.survey_followup`.

Each step stores, commits through ``uow.commit()`` (the answer, the FSM step, the journal mark
and the question it owes next, in one transaction), then replies: what the partner answered is
durable before they see our reaction.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ScoreCb
from bot.config import Settings
from bot.filters import CommandFree, HasText, PrivateChat, TextMatches, message_text
from bot.handlers.survey_steps import ack, declare_question, edit_text, send_question
from bot.i18n import Translate
from bot.keyboards.survey import score_chosen, score_keyboard, score_question
from bot.staff import is_staff
from bot.states import SurveyData, save_survey_data, survey_data
from bot.survey_definition import SURVEY, Step, SurveyDefinition
from storage.models.campaign import ANSWERABLE, ONGOING
from storage.models.response import category_of
from storage.repo import campaigns_base, partners, responses
from storage.repo.partners import PartnerRef
from storage.repo.responses import Answer
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

INTEGER = re.compile(r"^\s*[+-]?\d+\s*$", re.ASCII)  # "٧" is a digit to Python, not a score


async def _take_score(
    *,
    survey: SurveyDefinition,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef,
    campaign_id: int,
    round_: int,
    score: int,
    question_message_id: int | None,
    first_round: Answer | None,
) -> tuple[Answer, Step, bool]:
    """Store the score and move the FSM on; returns the response, the step it is asked next and
    whether to (re)ask that step (not when a tap only changes the score within its category).

    ``first_round`` is the partner's answer to round 0, read with the campaign's standing."""
    data = await survey_data(state)
    previous = (
        first_round if round_ == 0 else await responses.of_campaign(session, campaign_id, partner.id, round_)
    )
    following = survey.after(survey.score, category_of(score))
    assert following is not None  # SurveyDefinition asks every category something after the score
    same_step = (
        previous is not None
        and previous.id == data.response_id
        and previous.stage == following.name
        and category_of(previous.score) == category_of(score)
        and await state.get_state() == survey.state_of(following).state
    )
    response = await responses.record_score(
        session, previous, campaign_id, partner.id, score, question_message_id, round_, stage=following.name
    )
    await state.set_state(survey.state_of(following))
    await save_survey_data(
        state,
        replace(
            data,
            campaign_id=campaign_id,
            round=response.round,
            response_id=response.id,
            question_message_id=response.question_message_id,
        ),
    )
    return response, following, not same_step


async def _round_of_tap(
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef,
    campaign_id: int,
    kind: str,
    message_id: int,
) -> int:
    """Which round a tap on question 1 (message ``message_id``) answers.

    A regular campaign has one. In ongoing feedback every question 1 is its own round: the
    round that message already holds, the one ``/survey`` just opened for it, or a new one."""
    if kind != ONGOING:
        return 0
    known = await responses.round_of_message(session, campaign_id, partner.id, message_id)
    if known is not None:
        return known
    data = await survey_data(state)
    if data.campaign_id == campaign_id and data.question_message_id == message_id:
        return data.round
    return await responses.next_round(session, campaign_id, partner.id)


async def _check_campaign(
    session: AsyncSession, partner: PartnerRef, campaign_id: int
) -> tuple[str | None, str, Answer | None]:
    """(None, kind, the partner's answer to round 0) if this partner may answer the campaign,
    else (the locale key explaining why not, kind, None)."""
    found = await responses.before_score(session, campaign_id, partner.id)
    if found is None:
        return "bad-button", "", None
    standing, first_round = found
    if standing.status not in ANSWERABLE:
        return "survey-closed", standing.kind, None
    if standing.kind != ONGOING and not standing.invited:
        return "survey-not-yours", standing.kind, None
    return None, standing.kind, first_round


async def start_survey(
    message: Message,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    settings: Settings,
    _: Translate,
    locale: str,
    survey: SurveyDefinition,
) -> None:
    """Send question 1 for the pending invitation, else for ongoing feedback."""
    user = message.from_user
    assert user is not None
    if (partner is not None and partner.staff) or (
        partner is None and await is_staff(message.bot, session, settings, user.id)
    ):
        await message.answer(_("survey-staff"))  # an admin's test answer must not count
        return
    if partner is None:
        partner_id = await partners.register_new(
            session, user.id, name=user.full_name, username=user.username, language=locale
        )
    else:
        partner_id = partner.id
    campaign_id = await campaigns_base.pending_invitation(session, partner_id)
    round_ = 0
    if campaign_id is None:
        # Ongoing feedback: every /survey is a round of its own (earlier ones stay as given).
        campaign_id = await campaigns_base.ensure_ongoing_campaign(session)
        round_ = await responses.next_round(session, campaign_id, partner_id)
    await state.set_state(survey.state_of(survey.score))
    data = SurveyData(campaign_id=campaign_id, round=round_)
    await save_survey_data(state, data)
    await uow.commit()  # the partner and their survey state, before question 1 goes out
    sent = await message.answer(score_question(_), reply_markup=score_keyboard(campaign_id))
    # This round's question 1: a typed score, and the final thanks, edit this message.
    await save_survey_data(state, replace(data, question_message_id=sent.message_id))
    await uow.commit()


async def score_tapped(
    callback: CallbackQuery,
    callback_data: ScoreCb,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
    survey: SurveyDefinition,
) -> None:
    """A 0-10 button: validate, store at once, show the choice, ask the next step."""
    if not 0 <= callback_data.score <= 10:
        await ack(callback, _("bad-button"))
        return
    if partner is None:
        await ack(callback, _("survey-not-registered"))
        return
    campaign_id = callback_data.campaign_id
    problem, kind, first_round = await _check_campaign(session, partner, campaign_id)
    if problem is not None:
        await ack(callback, _(problem))
        return
    message_id = callback.message.message_id if callback.message else None
    round_ = await _round_of_tap(session, state, partner, campaign_id, kind, message_id or 0)
    response, following, again = await _take_score(
        survey=survey,
        session=session,
        state=state,
        partner=partner,
        campaign_id=campaign_id,
        round_=round_,
        score=callback_data.score,
        question_message_id=message_id,
        first_round=first_round,
    )
    message = callback.message if isinstance(callback.message, Message) else None
    # Declared before the first call: held with the journal mark until it is out.
    next_question = declare_question(uow, message, _, following, response) if again and message else None
    await uow.commit()
    await ack(callback)
    if message is not None:
        await edit_text(
            message,
            message.chat.id,
            message_id,
            score_chosen(_, response.score),
            reply_markup=score_keyboard(campaign_id),
        )
        if next_question is not None:
            await send_question(next_question, following, state)


async def score_typed(
    message: Message,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
    survey: SurveyDefinition,
) -> None:
    """A typed 0-10 counts as a tap; anything else gets a clear hint."""
    await _typed_score(message, uow, state, partner, _, survey)


async def score_typed_for_invitation(
    message: Message,
    uow: UnitOfWork,
    session: AsyncSession,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
    survey: SurveyDefinition,
) -> None:
    """A bare number from a partner with an open invitation answers that invitation."""
    campaign_id = await campaigns_base.pending_invitation(session, partner.id) if partner else None
    if campaign_id is None:
        raise SkipHandler  # not an answer: let the managers' relay or the fallback see it
    await save_survey_data(state, SurveyData(campaign_id=campaign_id, round=0))
    await _typed_score(message, uow, state, partner, _, survey)


async def _typed_score(
    message: Message,
    uow: UnitOfWork,
    state: FSMContext,
    partner: PartnerRef | None,
    _: Translate,
    survey: SurveyDefinition,
) -> None:
    session = uow.session
    text = message_text(message) or ""
    if not INTEGER.match(text) or not 0 <= int(text) <= 10:
        await message.answer(_("bad-score"))
        return
    if partner is None:
        await message.answer(_("survey-not-registered"))
        return
    data = await survey_data(state)
    campaign_id = data.campaign_id
    problem, _kind, first_round = await _check_campaign(session, partner, campaign_id)
    if problem is not None:
        await state.clear()
        await message.answer(_(problem))
        return
    # The question this round asked (None: a bare number answering an invitation keeps the
    # message the invitation's answer already has).
    question = data.question_message_id
    response, following, _again = await _take_score(
        survey=survey,
        session=session,
        state=state,
        partner=partner,
        campaign_id=campaign_id,
        round_=data.round,
        score=int(text),
        question_message_id=question,
        first_round=first_round,
    )
    next_question = declare_question(uow, message, _, following, response)
    await uow.commit()
    await edit_text(
        message,
        message.chat.id,
        response.question_message_id,
        score_chosen(_, response.score),
        reply_markup=score_keyboard(campaign_id),
    )
    await send_question(next_question, following, state)


async def score_not_text(message: Message, _: Translate) -> None:
    """Stickers, photos, voice where a score is expected."""
    await message.answer(_("bad-score-buttons"))


def get_router(survey: SurveyDefinition = SURVEY) -> Router:
    """A fresh router with this module's handlers for ``survey`` (aiogram attaches a router to
    one parent for good)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), CommandFree("survey"))
    router.callback_query.filter(PrivateChat())
    router.message.register(start_survey, Command("survey"))
    router.callback_query.register(score_tapped, ScoreCb.filter())
    router.message.register(score_typed, StateFilter(survey.state_of(survey.score)), HasText())
    router.message.register(score_typed_for_invitation, StateFilter(None), TextMatches(INTEGER))
    router.message.register(score_not_text, StateFilter(survey.state_of(survey.score)))
    return router

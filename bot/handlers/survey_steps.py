"""Asking a step of the survey (bot/survey_definition.py), shared by the survey's handlers.

A step's question is declared as the reply its update owes (bot/held_replies.py) before the
update commits, and sent after: the answer that led to it is durable first, and a crash in
between still gets the question out.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import replace

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot import held_replies
from bot.i18n import Translate
from bot.keyboards.survey import drivers_keyboard, skip_keyboard
from bot.states import save_survey_data, survey_data
from bot.survey_definition import AREAS, OPEN_TEXT, Step
from storage.repo.responses import Answer
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAX_COMMENT = 1000  # characters of an open answer


async def ack(callback: CallbackQuery, alert: str | None = None) -> None:
    """Answer the button; a query Telegram no longer accepts (older than ~15 s, e.g. handled
    after a restart) must not stop the step: the score is stored, question 2 still goes out."""
    try:
        await callback.answer(alert, show_alert=alert is not None)
    except TelegramBadRequest as exc:
        log.info("callback not answered: %s", exc)


async def edit_text(
    message: Message | None,
    bot_chat: int,
    message_id: int | None,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Edit a message we sent; "not modified" and vanished messages are not errors here.

    Returns whether the message now shows ``text``."""
    if message_id is None or message is None or message.bot is None:
        return False
    try:
        await message.bot.edit_message_text(
            text=text, chat_id=bot_chat, message_id=message_id, reply_markup=reply_markup
        )
    except TelegramBadRequest as exc:
        log.debug("edit skipped: %s", exc)
        return "not modified" in str(exc)
    return True


def declare_question(
    uow: UnitOfWork,
    message: Message,
    _: Translate,
    step: Step,
    response: Answer,
    chosen: Collection[str] = (),
) -> SendMessage:
    """The question of ``step`` for this response, declared as the reply this update owes
    (``chosen``: the areas already chosen, ticked on a re-answer)."""
    text = _(step.key(response.category))
    if step.kind == AREAS:
        markup = drivers_keyboard(_, response.id, chosen)
    elif step.kind == OPEN_TEXT:
        markup = skip_keyboard(_, response.id)
    else:  # pragma: no cover - the score is asked by /survey and invitations, never as a next step
        raise ValueError(step.kind)
    sent = message.answer(text, reply_markup=markup)
    held_replies.expect(uow, sent)
    return sent


async def send_question(sent: SendMessage, step: Step, state: FSMContext) -> None:
    """Send a question declared by :func:`declare_question`; an open question's message is kept, so
    its Skip button goes once it is answered."""
    out = await sent
    if step.kind == OPEN_TEXT:
        data = await survey_data(state)
        await save_survey_data(state, replace(data, comment_message_id=out.message_id))

"""Closing the loop on a detractor alert: Reply, the relayed conversation, Resolved.

* Reply (managers' chat): the pressing manager's next message in that chat (FSM state of that
  manager in that chat) is sent to the partner by the bot.
* The partner's texts, while not in the survey and while a conversation a manager started is
  open, come back to the managers' chat as replies to the alert.
* Resolved records who and when, and edits the alert: buttons removed, "resolved by …".

This router runs after the survey router (answers to a survey are never relayed) and before the
fallback. Button data is only a claim: the alert must exist, be open and be the message pressed.
"""

from __future__ import annotations

import logging

from aiogram import F, Router, html
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message, ReplyParameters
from sqlalchemy.ext.asyncio import AsyncSession

from bot import operations
from bot.callbacks import REPLY, RESOLVE, AlertCb
from bot.config import Settings
from bot.digest import fmt
from bot.filters import HasText, IsManager, PrivateChat, message_text
from bot.i18n import Translate, Translator
from bot.long_messages import send_long
from bot.managers_chat import effective_id
from bot.services import Services
from bot.staff import MEMBER_STATUSES
from storage.repo import alerts, partner_posts
from storage.repo.alerts import FROM_PARTNER, TO_PARTNER, AlertView
from storage.repo.partners import PartnerRef
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class AlertReply(StatesGroup):
    """A manager is writing the message for a partner (data: alert_id)."""

    text = State()


def _mention(user_id: int, name: str) -> str:
    """A text mention, so ForceReply(selective) targets exactly this manager."""
    return f'<a href="tg://user?id={user_id}">{fmt.clip(name, 60)}</a>'


async def _may_act(callback: CallbackQuery, settings: Settings, session: AsyncSession) -> bool:
    """Admins, and members of MANAGER_CHAT_ID as Telegram sees them right now.

    The chat an alert sits in is no proof: a public group can be read (and its buttons
    pressed) by people who are not in it."""
    user = callback.from_user
    if settings.is_admin(user.id):
        return True
    chat = await effective_id(session, settings)  # MANAGER_CHAT_ID, or the supergroup it became
    if chat is None or callback.bot is None:
        return False
    try:
        member = await callback.bot.get_chat_member(chat, user.id)
    except TelegramAPIError as exc:
        log.info("Membership of %s in the managers' chat unknown: %s", user.id, exc)
        return False
    return member.status in MEMBER_STATUSES


async def _pressed_alert(
    callback: CallbackQuery, callback_data: AlertCb, session: AsyncSession, settings: Settings, _: Translate
) -> AlertView | None:
    """The alert behind the button, if the presser may act and the button really is that alert's;
    answers otherwise."""
    if not await _may_act(callback, settings, session):
        await callback.answer(_("mgr-refused-button"), show_alert=True)
        return None
    view = await alerts.view(session, callback_data.alert_id)
    message = callback.message
    if (
        view is None
        or message is None
        or view.chat_id != message.chat.id
        or view.message_id != message.message_id
    ):
        await callback.answer(_("al-not-found"), show_alert=True)
        return None
    if not view.is_open:
        await callback.answer(_("al-already-resolved"), show_alert=True)
        return None
    return view


async def reply_pressed(
    callback: CallbackQuery,
    callback_data: AlertCb,
    uow: UnitOfWork,
    state: FSMContext,
    settings: Settings,
    _: Translate,
) -> None:
    """Ask the pressing manager for the message to relay."""
    view = await _pressed_alert(callback, callback_data, uow.session, settings, _)
    if view is None:
        return
    if view.telegram_id is None:
        await callback.answer(_("al-partner-gone"), show_alert=True)
        return
    await state.set_state(AlertReply.text)
    await state.set_data({"alert_id": view.id})
    await uow.commit()
    await callback.answer()
    user = callback.from_user
    if isinstance(callback.message, Message):
        prompt = await callback.message.answer(
            _(
                "al-reply-prompt",
                manager=_mention(user.id, user.full_name),
                partner=fmt.partner_label(view.partner, _),
            ),
            reply_markup=ForceReply(selective=True),
            reply_parameters=ReplyParameters(
                message_id=callback.message.message_id, allow_sending_without_reply=True
            ),
        )
        # It names the partner: an erasure rewrites it (bot/erasure.py).
        await partner_posts.remember(uow.session, [view.partner_id], prompt.chat.id, [prompt.message_id])
        await uow.commit()


async def resolve_pressed(
    callback: CallbackQuery,
    callback_data: AlertCb,
    uow: UnitOfWork,
    services: Services,
    _: Translate,
) -> None:
    """Record who resolved the alert and when; the alert loses its buttons."""
    view = await _pressed_alert(callback, callback_data, uow.session, services.settings, _)
    if view is None:
        return
    user = callback.from_user
    outcome = await operations.resolve_alert(services, uow.session, view.id, user.id, user.full_name)
    await uow.commit()
    if outcome is not operations.ResolveOutcome.RESOLVED:
        await callback.answer(_("al-already-resolved"), show_alert=True)
        return
    await callback.answer()


async def refuse_button(callback: CallbackQuery, _: Translate) -> None:
    """An alert button pressed by someone who is not a manager (or an unknown action)."""
    await callback.answer(_("mgr-refused-button"), show_alert=True)


async def reply_cancelled(message: Message, uow: UnitOfWork, state: FSMContext, _: Translate) -> None:
    """The manager changed their mind."""
    await state.clear()
    await uow.commit()
    await message.answer(_("al-reply-cancelled"))


async def reply_text(
    message: Message,
    uow: UnitOfWork,
    state: FSMContext,
    translator: Translator,
    _: Translate,
) -> None:
    """Relay the manager's message to the partner, in the partner's language."""
    session = uow.session
    alert_id = int((await state.get_data()).get("alert_id", 0))
    await state.clear()
    view = await alerts.view(session, alert_id)
    await uow.commit()  # the manager is no longer writing, whatever happens below
    if view is None or not view.is_open:
        await message.answer(_("al-already-resolved"))
        return
    if view.telegram_id is None:
        await message.answer(_("al-partner-gone"))
        return
    text = (message_text(message) or "").strip()
    partner_ = translator.bind(translator.resolve_locale(view.language))
    assert message.bot is not None
    outcome = await send_long(message.bot, view.telegram_id, partner_("al-to-partner", text=html.quote(text)))
    if outcome.error is not None:
        log.info("Relay to partner %s failed: %s", view.partner.partner_id, outcome.error)
    if outcome.sent == 0:
        await message.reply(_("al-relay-failed"))
        return
    await alerts.add_message(
        session, view.id, TO_PARTNER, message.from_user.id if message.from_user else None, text
    )
    await uow.commit()
    if not outcome.complete:
        await message.reply(_("al-relay-partial", sent=str(outcome.sent), total=str(outcome.total)))
        return
    await message.reply(_("al-relayed"))


async def reply_not_text(message: Message, _: Translate) -> None:
    """Only text is relayed."""
    await message.answer(_("al-reply-text-only"))


async def partner_wrote(
    message: Message,
    uow: UnitOfWork,
    partner: PartnerRef | None,
    services: Services,
    _: Translate,
) -> None:
    """A partner in an open conversation: their text goes to the managers' chat, under the alert."""
    session = uow.session
    written = message_text(message)
    if partner is None or (written or "").startswith("/"):
        raise SkipHandler
    view = await alerts.conversation_of(session, partner.id)
    if view is None or view.chat_id is None or view.message_id is None:
        raise SkipHandler  # not a conversation: the fallback answers
    if not written:
        await message.answer(_("al-partner-text-only"))
        return
    text = written.strip()
    await alerts.add_message(
        session, view.id, FROM_PARTNER, message.from_user.id if message.from_user else None, text
    )
    await uow.commit()  # the partner's words are kept before they are relayed
    managers_ = services.translator.bind(services.settings.default_locale)
    assert message.bot is not None
    who = fmt.partner_label(view.partner, managers_)
    relay = managers_("al-from-partner", who=who, text=html.quote(text))
    outcome = await send_long(message.bot, view.chat_id, relay, reply_to=view.message_id)
    # Their name and words in the managers' chat: an erasure rewrites these (bot/erasure.py).
    await partner_posts.remember(session, [partner.id], view.chat_id, outcome.message_ids)
    await uow.commit()
    if outcome.error is not None:
        log.warning(
            "Partner reply for alert %s relayed %d of %d parts: %s",
            view.id, outcome.sent, outcome.total, outcome.error,
        )  # fmt: skip
        if outcome.sent == 0:  # nothing reached the managers: the partner must know, not guess
            await message.answer(_("al-partner-relay-failed"))
            return
    await message.answer(_("al-partner-ack"))


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.callback_query.register(reply_pressed, AlertCb.filter(F.action == REPLY), IsManager())
    router.callback_query.register(resolve_pressed, AlertCb.filter(F.action == RESOLVE), IsManager())
    router.callback_query.register(refuse_button, AlertCb.filter())
    router.message.register(reply_cancelled, StateFilter(AlertReply.text), Command("cancel"))
    router.message.register(reply_text, StateFilter(AlertReply.text), HasText(), IsManager())
    router.message.register(reply_not_text, StateFilter(AlertReply.text), IsManager())
    router.message.register(partner_wrote, PrivateChat(), StateFilter(None))
    return router

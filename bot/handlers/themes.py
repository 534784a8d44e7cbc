"""``/themes``: what the current campaign's comments are about, and managers who teach it.

For admins (anywhere) and the managers' chat (IsManager), like the other managers' commands.
Shows per-area counts (confident or tagged comments) and pages through the comments the
classifier is unsure about, one a message, with area toggles (multi-select) and Done. A tag is
stored with who and when, counts in digests and exports at once, and teaches this install's
classifier (:mod:`storage.analytics.themes.memory`).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import fmt
from bot.filters import IsManager
from bot.i18n import Translate
from bot.keyboards.themes import (
    THEME_PREFIXES,
    ThemeDoneCb,
    ThemePageCb,
    ThemeToggleCb,
    in_range,
    keys_of,
    mask_of,
    review_keyboard,
    tag_keyboard,
)
from storage import areas
from storage.analytics.campaigns import campaign_info
from storage.analytics.report import current_campaign
from storage.repo import themes as stored
from storage.unit_of_work import UnitOfWork

COMMENT_CHARS = 1500


def _labels(_: Translate) -> dict[str, str]:
    return {key: _(f"area-{key}") for key in areas.active()}


def _names(keys: list[str] | tuple[str, ...], _: Translate) -> str:
    return ", ".join(_(f"area-{key}") for key in keys)


async def themes_command(
    message: Message, command: CommandObject, session: AsyncSession, _: Translate
) -> None:
    """Per-area counts of the current (or named) campaign and a button to tag unsure comments."""
    arg = (command.args or "").strip().lstrip("#")
    if arg and not (arg.isdigit() and in_range(campaign_id=int(arg), offset=0)):
        await message.answer(_("themes-usage"))
        return
    info = await (campaign_info(session, int(arg)) if arg else current_campaign(session))
    if info is None:
        await message.answer(_("themes-unknown", id=arg) if arg else _("themes-none"))
        return
    counts = await stored.theme_counts(session, info.id)
    pending = await stored.pending_count(session, info.id)
    lines = [_("themes-title", title=fmt.clip(info.title, 80), total=counts.commented)]
    lines += [_("themes-area", area=_(f"area-{key}"), count=str(n)) for key, n in counts.areas]
    if counts.unclassified:
        lines.append(_("themes-unclassified", count=str(counts.unclassified)))
    if counts.tagged:
        lines.append(_("themes-tagged", count=str(counts.tagged)))
    # The same count as the Tag (N) button: unsure and "other" guesses wait too, not only the
    # unclassified ones.
    lines.append(_("themes-pending", count=pending) if pending else _("themes-all-done"))
    markup = review_keyboard(_, info.id, pending) if pending else None
    await message.answer("\n".join(lines), reply_markup=markup)


async def _show(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the tapped message (a new one when it cannot be edited)."""
    msg = callback.message
    if msg is None or isinstance(msg, InaccessibleMessage):
        return
    try:
        await msg.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in str(exc):
            await msg.answer(text, reply_markup=markup)


def _item_text(_: Translate, comment: stored.PendingComment, pos: int, total: int) -> str:
    if comment.guess and comment.confidence is not None:
        confidence = str(round(comment.confidence * 100))
        guess = _("themes-guess", areas=_names(comment.guess, _), confidence=confidence)
    else:
        guess = _("themes-guess-none")
    return _(
        "themes-item",
        pos=str(pos),
        total=str(total),
        score=str(comment.score),
        text=fmt.clip(comment.text, COMMENT_CHARS),
        guess=guess,
    )


async def _page(
    callback: CallbackQuery, session: AsyncSession, _: Translate, campaign_id: int, offset: int
) -> None:
    total = await stored.pending_count(session, campaign_id)
    offset = min(offset, max(total - 1, 0))
    comment = await stored.pending_at(session, campaign_id, offset)
    if comment is None:
        await _show(callback, _("themes-all-done"), None)
        return
    mask = mask_of([k for k in comment.guess if k in areas.active()])
    markup = tag_keyboard(_, _labels(_), campaign_id, comment.response_id, offset, mask)
    await _show(callback, _item_text(_, comment, offset + 1, total), markup)


async def page(
    callback: CallbackQuery, callback_data: ThemePageCb, session: AsyncSession, _: Translate
) -> None:
    """Show one waiting comment with its area toggles."""
    if not in_range(campaign_id=callback_data.campaign_id, offset=callback_data.offset):
        await callback.answer(_("themes-bad-button"), show_alert=True)
        return
    await callback.answer()
    await _page(callback, session, _, callback_data.campaign_id, callback_data.offset)


async def toggle(
    callback: CallbackQuery, callback_data: ThemeToggleCb, session: AsyncSession, _: Translate
) -> None:
    """Toggle one area of the comment on screen (nothing is stored before Done)."""
    data = callback_data
    count = len(areas.active())
    valid = in_range(campaign_id=data.campaign_id, response_id=data.response_id, offset=data.offset)
    if not valid or keys_of(data.mask) is None or not 0 <= data.area < count:
        await callback.answer(_("themes-bad-button"), show_alert=True)
        return
    comment = await stored.comment_for_tagging(session, data.response_id)
    if comment is None:
        await callback.answer(_("themes-gone"), show_alert=True)
        return
    await callback.answer()
    mask = data.mask ^ (1 << data.area)
    markup = tag_keyboard(_, _labels(_), data.campaign_id, data.response_id, data.offset, mask)
    msg = callback.message
    if msg is not None and not isinstance(msg, InaccessibleMessage):
        try:
            await msg.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest as exc:
            if "not modified" not in str(exc):
                raise


async def done(callback: CallbackQuery, callback_data: ThemeDoneCb, uow: UnitOfWork, _: Translate) -> None:
    """Store the chosen areas as a person's tag, then show the next waiting comment."""
    session = uow.session
    data = callback_data
    keys = keys_of(data.mask)
    valid = in_range(campaign_id=data.campaign_id, response_id=data.response_id, offset=data.offset)
    if not valid or keys is None:
        await callback.answer(_("themes-bad-button"), show_alert=True)
        return
    if not keys:
        await callback.answer(_("themes-choose-one"), show_alert=True)
        return
    comment = await stored.comment_for_tagging(session, data.response_id)
    if comment is None:
        await callback.answer(_("themes-gone"), show_alert=True)
        return
    user_id = callback.from_user.id
    saved = await stored.tag_comment(session, comment, keys, user_id)
    await uow.commit()
    await callback.answer(_("themes-saved", areas=_names(saved, _)))
    await _page(callback, session, _, data.campaign_id, data.offset)  # the tagged one left the list


async def refuse(message: Message, _: Translate) -> None:
    """Anyone else: not for them."""
    await message.answer(_("mgr-refused"))


class _ThemesButton(Filter):
    """Any button of this module, whether or not its data parses."""

    async def __call__(self, callback: CallbackQuery) -> bool:
        return (callback.data or "").startswith(_PREFIXES)


_PREFIXES = tuple(f"{prefix}:" for prefix in THEME_PREFIXES)  # ":" is CallbackData's separator


async def bad_button(callback: CallbackQuery, _: Translate) -> None:
    """A manager's themes button whose data does not parse (edited by hand, or from an old version)."""
    await callback.answer(_("themes-bad-button"), show_alert=True)


async def refuse_button(callback: CallbackQuery, _: Translate) -> None:
    """A themes button pressed by someone who is not a manager."""
    await callback.answer(_("mgr-refused-button"), show_alert=True)


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(themes_command, Command("themes"), IsManager())
    router.callback_query.register(page, ThemePageCb.filter(), IsManager())
    router.callback_query.register(toggle, ThemeToggleCb.filter(), IsManager())
    router.callback_query.register(done, ThemeDoneCb.filter(), IsManager())
    router.message.register(refuse, Command("themes"))
    router.callback_query.register(bad_button, _ThemesButton(), IsManager())
    router.callback_query.register(refuse_button, _ThemesButton())
    return router

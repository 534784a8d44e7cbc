"""Central error handler: logs the update, tells the user something went wrong."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent, Update

from bot.config import Settings
from bot.i18n import Translate

log = logging.getLogger(__name__)


def _staff_context(update: Update, settings: Settings | None) -> bool:
    """An admin anywhere, or anyone outside a private chat (the managers' chat): not a partner
    mid-survey, so "your answers are saved" would be the wrong comfort."""
    event = update.message or update.callback_query
    if event is None:
        return False
    user = event.from_user
    if settings is not None and user is not None and settings.is_admin(user.id):
        return True
    message = update.message or (update.callback_query.message if update.callback_query is not None else None)
    return message is not None and message.chat.type != "private"


async def on_error(event: ErrorEvent, _: Translate | None = None, settings: Settings | None = None) -> None:
    """Log the failed update and apologise to the user when we can."""
    update = event.update
    log.error(
        "Error handling update %s: %s",
        update.update_id,
        event.exception,
        exc_info=event.exception,
    )
    if _ is None:
        return
    key = "error-staff" if _staff_context(update, settings) else "error-generic"
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(_(key), show_alert=True)
        elif update.message is not None:
            await update.message.answer(_(key))
    except TelegramAPIError as exc:
        log.warning("Could not report the error to the user: %s", exc)


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.error.register(on_error)
    return router

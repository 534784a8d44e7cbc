"""Central error handler: logs the update, tells the user something went wrong."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.i18n import Translate

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, _: Translate | None = None) -> None:
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
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(_("error-generic"), show_alert=True)
        elif update.message is not None:
            await update.message.answer(_("error-generic"))
    except TelegramAPIError as exc:
        log.warning("Could not report the error to the user: %s", exc)


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.error.register(on_error)
    return router

"""After an erasure: the alerts already posted in the managers' chat stop quoting the partner.

The rows are erased first (bot/operations.py); a message Telegram holds can only be edited, so
each posted alert is rewritten from the erased rows: score and campaign stay, the partner's name,
username and words go, and a line says why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram.exceptions import TelegramAPIError

from bot.digest import fmt
from bot.keyboards.alerts import alert_keyboard
from bot.services import Services
from storage.repo import alerts

log = logging.getLogger(__name__)


async def redact_posted_alerts(services: Services, alert_ids: Sequence[int]) -> int:
    """Edit each posted alert to its erased form; returns how many were edited."""
    settings = services.settings
    _ = services.translator.bind(settings.default_locale)
    edited = 0
    for alert_id in alert_ids:
        async with services.sessionmaker() as session:
            view = await alerts.view(session, alert_id)
        if view is None or view.chat_id is None or view.message_id is None:
            continue
        text = "\n".join(
            [
                _("al-title", score=str(view.score), campaign=fmt.clip(view.campaign_title, 80)),
                _("al-partner", who=fmt.partner_label(view.partner, _)),
                "",
                _("lc-alert-erased"),
            ]
        )
        try:
            await services.bot.edit_message_text(
                text=text,
                chat_id=view.chat_id,
                message_id=view.message_id,
                reply_markup=alert_keyboard(_, alert_id) if view.is_open else None,
            )
            edited += 1
        except TelegramAPIError as exc:
            log.warning("Posted alert %s not redacted after erasure: %s", alert_id, exc)
    return edited

"""Finds the partner behind the update and the language to answer in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.i18n import Translator
from storage.repo import partners


class PartnerLocaleMiddleware(BaseMiddleware):
    """Puts ``partner`` (or None), ``locale`` and ``_`` (translate) into handler data."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        partner = None
        if user is not None:
            partner = await partners.ref_by_telegram_id(data["session"], user.id)
        language = (partner.language if partner else None) or (user.language_code if user else None)
        locale = self.translator.resolve_locale(language)
        data["partner"] = partner
        data["locale"] = locale
        data["_"] = self.translator.bind(locale)
        return await handler(event, data)

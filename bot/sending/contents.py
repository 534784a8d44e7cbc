"""What each bulk message says and which keyboard it carries, built once per kind and language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.keyboards.survey import score_keyboard
from bot.sending.texts import announcement_text, invitation_text, reminder_text
from storage.models import delivery as d
from storage.repo.deliveries import Claimed


class MessageContents:
    """Text and keyboard of a claimed delivery; cached, since building pydantic keyboards costs
    about 1 ms a message and a launch sends thousands of the same."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self._announcements: dict[int, str] = {}  # announcement id -> the admin's text
        self._texts: dict[tuple[str, str], str] = {}  # (kind, locale) -> text
        self._keyboards: dict[int, InlineKeyboardMarkup] = {}  # campaign id -> score keyboard

    def missing_announcements(self, claimed: Iterable[Claimed]) -> set[int]:
        """Announcements among ``claimed`` whose text is not loaded yet."""
        return {c.ref for c in claimed if c.kind == d.ANNOUNCEMENT and c.ref not in self._announcements}

    def add_announcements(self, texts: Mapping[int, str]) -> None:
        """Texts read from the database for :meth:`missing_announcements`."""
        self._announcements.update(texts)

    def of(self, job: Claimed) -> tuple[str, InlineKeyboardMarkup | None]:
        """The message's text (HTML) and keyboard; an empty text: the announcement is gone."""
        if job.kind == d.ANNOUNCEMENT:
            return announcement_text(self._announcements.get(job.ref, "")), None
        locale = self.translator.resolve_locale(job.language)
        text = self._texts.get((job.kind, locale))
        if text is None:
            _ = self.translator.bind(locale)
            text = invitation_text(_) if job.kind == d.INVITATION else reminder_text(_)
            self._texts[(job.kind, locale)] = text
        markup = self._keyboards.get(job.campaign_id)
        if markup is None:
            markup = self._keyboards[job.campaign_id] = score_keyboard(job.campaign_id)
        return text, markup

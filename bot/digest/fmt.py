"""Numbers, names and quotes as managers read them, ready to drop into Fluent messages.

Fluent would group digits in ids and format floats by its own rules, so every number reaches a
message already formatted as text here. Everything user-written goes through ``html.quote``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram import html

from bot.i18n import Translate
from storage.analytics.people import PartnerRef

MINUS = "−"  # typographic minus: "−5" does not wrap away from its digit like "-5" can
NBSP = "\u00a0"
QUOTE_CHARS = 200


def count(value: int | float | Decimal, locale: str) -> str:
    """Whole number with thousands grouped: ``125 000`` (ru) / ``125,000`` (en)."""
    text = f"{round(value):,}"
    return text.replace(",", NBSP) if locale == "ru" else text


def signed(value: float | None, digits: int = 0, locale: str = "en") -> str:
    """``+23``, ``−5``, ``0`` (``+4,6`` in ru with ``digits=1``); ``—`` when unknown."""
    if value is None:
        return "—"
    rounded = round(value, digits)
    text = f"{abs(rounded):.{digits}f}"
    if locale == "ru":
        text = text.replace(".", ",")
    if rounded == 0:
        return text
    return ("+" if rounded > 0 else MINUS) + text


def decimal1(value: float | None, locale: str) -> str:
    """One decimal with the locale's separator: ``0,4`` (ru) / ``0.4`` (en)."""
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return text.replace(".", ",") if locale == "ru" else text


def margin_suffix(value: float | None, locale: str) -> str:
    """`` ± 4.1`` after an NPS figure; never ``± 0.0`` (shown as at least 0.1); empty without one."""
    if value is None:
        return ""
    return f" ± {decimal1(max(value, 0.1), locale)}"


def percent(share: float | None) -> str:
    """A 0..1 share as whole percent (``46``); ``—`` when unknown."""
    return "—" if share is None else f"{round(share * 100)}"


def when(moment: datetime | None, tz: ZoneInfo) -> str:
    """Local date and time for messages: ``23.11.2026 09:00``."""
    return "—" if moment is None else moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def day(moment: datetime | None, tz: ZoneInfo) -> str:
    """Local date: ``23.11.2026``."""
    return "—" if moment is None else moment.astimezone(tz).strftime("%d.%m.%Y")


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """User text shortened to ``limit`` characters on a word boundary, then HTML-escaped."""
    text = " ".join(text.split())
    if len(text) > limit:
        cut = text[: limit - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"
    return html.quote(text)


def partner_label(ref: PartnerRef, _: Translate) -> str:
    """Name, @username or external id of a partner (escaped); a neutral word once erased."""
    if ref.erased:
        return _("dg-erased")
    parts = []
    if ref.name:
        parts.append(html.quote(ref.name))
    if ref.username:
        parts.append(html.quote(f"@{ref.username}"))
    if not parts and ref.external_id:
        parts.append(html.quote(ref.external_id))
    return " ".join(parts) if parts else _("dg-partner-id", id=str(ref.partner_id))


def group_name(key: str | None, dimension: str, _: Translate) -> str:
    """Name of a breakdown group: the value, "not set", or "other" for the folded group."""
    if key is None:
        return _("dg-group-other")
    if key == "":
        return _("dg-group-unset")
    return html.quote(key)

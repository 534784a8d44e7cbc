"""Callback data and keyboards of ``/themes``: the review button and the area toggles.

The areas chosen so far travel in the buttons as a bit mask (bit ``i`` = the ``i``-th active
area), so multi-select needs no server-side state; every number is range-checked on arrival.
"""

from __future__ import annotations

from collections.abc import Collection

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Translate
from storage import areas

MAX_OFFSET = 1_000_000
MAX_ID = 2**63 - 1


# Prefixes of this module's buttons, also matched by /themes' catch-all for unparsable data.
THEME_PREFIXES = ("tp", "tt", "td")


class ThemePageCb(CallbackData, prefix="tp"):
    """Show the ``offset``-th comment waiting for a tag in a campaign."""

    campaign_id: int
    offset: int


class ThemeToggleCb(CallbackData, prefix="tt"):
    """Toggle area number ``area`` of a comment; ``mask`` holds the areas chosen before."""

    campaign_id: int
    response_id: int
    offset: int
    mask: int
    area: int


class ThemeDoneCb(CallbackData, prefix="td"):
    """Save the areas in ``mask`` as the person's tag of a comment."""

    campaign_id: int
    response_id: int
    offset: int
    mask: int


def mask_of(keys: Collection[str]) -> int:
    """Bit mask of area keys (unknown keys ignored)."""
    active = areas.active()
    return sum(1 << i for i, key in enumerate(active) if key in keys)


def keys_of(mask: int) -> list[str] | None:
    """Area keys of a bit mask, None when it names an area that does not exist."""
    active = areas.active()
    if mask < 0 or mask >= 1 << len(active):
        return None
    return [key for i, key in enumerate(active) if mask >> i & 1]


def in_range(*, campaign_id: int, response_id: int | None = None, offset: int) -> bool:
    """Ids positive and 64-bit, offset within what anyone can page to."""
    ids_ok = 0 < campaign_id <= MAX_ID and (response_id is None or 0 < response_id <= MAX_ID)
    return ids_ok and 0 <= offset <= MAX_OFFSET


def review_keyboard(_: Translate, campaign_id: int, pending: int) -> InlineKeyboardMarkup:
    """One button: start tagging the waiting comments."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("btn-themes-review", count=str(pending)),
        callback_data=ThemePageCb(campaign_id=campaign_id, offset=0),
    )
    return builder.as_markup()


def tag_keyboard(
    _: Translate, area_label: dict[str, str], campaign_id: int, response_id: int, offset: int, mask: int
) -> InlineKeyboardMarkup:
    """Area toggles (✓ on the chosen), two a row; then Back / Next and Done."""
    builder = InlineKeyboardBuilder()
    for i, key in enumerate(areas.active()):
        chosen = bool(mask >> i & 1)
        builder.button(
            text=("✓ " if chosen else "") + area_label[key],
            callback_data=ThemeToggleCb(
                campaign_id=campaign_id, response_id=response_id, offset=offset, mask=mask, area=i
            ),
        )
    count = len(areas.active())
    rows = [2] * (count // 2) + ([1] if count % 2 else [])
    nav = 0
    if offset > 0:
        builder.button(
            text=_("btn-themes-prev"), callback_data=ThemePageCb(campaign_id=campaign_id, offset=offset - 1)
        )
        nav += 1
    builder.button(
        text=_("btn-themes-next"), callback_data=ThemePageCb(campaign_id=campaign_id, offset=offset + 1)
    )
    builder.button(
        text=_("btn-themes-done"),
        callback_data=ThemeDoneCb(campaign_id=campaign_id, response_id=response_id, offset=offset, mask=mask),
    )
    builder.adjust(*rows, nav + 1, 1)
    return builder.as_markup()

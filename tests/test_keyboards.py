"""The survey's plain keyboards: the same buttons aiogram's objects would carry, callback data
that unpacks to what the handlers filter on, and within Telegram's 64 bytes."""

from __future__ import annotations

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import DoneCb, DriverCb, SkipCb, driver_data
from bot.i18n import Translator
from bot.keyboards.survey import drivers_keyboard, score_keyboard, score_keyboard_plain, skip_keyboard
from storage.areas import AREAS

BIG_ID = 2**53  # larger than any response id SQLite will hand out in practice


@pytest.mark.parametrize("area", AREAS)
def test_driver_data_is_what_pack_gives(area: str) -> None:
    assert driver_data(BIG_ID, area) == DriverCb(response_id=BIG_ID, area=area).pack()
    assert DriverCb.unpack(driver_data(7, area)) == DriverCb(response_id=7, area=area)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_plain_keyboards_are_valid_bot_api_markup(locale: str) -> None:
    _ = Translator(locale).bind(locale)
    drivers = drivers_keyboard(_, BIG_ID, ["payouts"])
    skip = skip_keyboard(_, BIG_ID)
    for plain in (drivers, skip, score_keyboard_plain(BIG_ID)):
        InlineKeyboardMarkup.model_validate(plain)  # the shape aiogram and Telegram expect
        for row in plain["inline_keyboard"]:
            for button in row:
                assert len(button["callback_data"].encode()) <= 64
    buttons = [b for row in drivers["inline_keyboard"] for b in row]
    assert [DriverCb.unpack(b["callback_data"]).area for b in buttons[:-1]] == list(AREAS)
    assert DoneCb.unpack(buttons[-1]["callback_data"]) == DoneCb(response_id=BIG_ID)
    assert [b["text"].startswith("✓ ") for b in buttons[:-1]] == [a == "payouts" for a in AREAS]
    assert SkipCb.unpack(skip["inline_keyboard"][0][0]["callback_data"]) == SkipCb(response_id=BIG_ID)
    assert score_keyboard_plain(3) == score_keyboard(3).model_dump(exclude_none=True)

"""The survey's keyboards: callback data that unpacks to what the handlers filter on, labels
the partner reads, and Telegram's 64-byte limit."""

from __future__ import annotations

import pytest

from bot.callbacks import DoneCb, DriverCb, ScoreCb, SkipCb
from bot.i18n import Translator
from bot.keyboards.survey import drivers_keyboard, score_keyboard, skip_keyboard
from storage.areas import AREAS

BIG_ID = 2**53  # larger than any response id SQLite will hand out in practice


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_keyboards_carry_the_right_callbacks_within_64_bytes(locale: str) -> None:
    _ = Translator(locale).bind(locale)
    drivers = drivers_keyboard(_, BIG_ID, ["payouts"])
    skip = skip_keyboard(_, BIG_ID)
    for markup in (drivers, skip, score_keyboard(BIG_ID)):
        for row in markup.inline_keyboard:
            for button in row:
                assert button.callback_data is not None
                assert len(button.callback_data.encode()) <= 64
    buttons = [b for row in drivers.inline_keyboard for b in row]
    assert [DriverCb.unpack(b.callback_data or "").area for b in buttons[:-1]] == list(AREAS)
    assert DoneCb.unpack(buttons[-1].callback_data or "") == DoneCb(response_id=BIG_ID)
    assert [b.text.startswith("✓ ") for b in buttons[:-1]] == [a == "payouts" for a in AREAS]
    assert SkipCb.unpack(skip.inline_keyboard[0][0].callback_data or "") == SkipCb(response_id=BIG_ID)


def test_score_keyboard_is_0_to_10_on_two_rows() -> None:
    rows = score_keyboard(3).inline_keyboard
    assert [[b.text for b in row] for row in rows] == [
        [str(n) for n in range(6)],
        [str(n) for n in range(6, 11)],
    ]
    assert [ScoreCb.unpack(b.callback_data or "").score for row in rows for b in row] == list(range(11))


def test_themes_catch_all_prefixes_are_the_buttons_prefixes() -> None:
    from bot.keyboards.themes import THEME_PREFIXES, ThemeDoneCb, ThemePageCb, ThemeToggleCb

    buttons = (
        ThemePageCb(campaign_id=1, offset=0),
        ThemeToggleCb(campaign_id=1, response_id=1, offset=0, mask=0, area=0),
        ThemeDoneCb(campaign_id=1, response_id=1, offset=0, mask=0),
    )
    assert tuple(b.pack().split(":")[0] for b in buttons) == THEME_PREFIXES

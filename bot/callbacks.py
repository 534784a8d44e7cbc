"""Callback data of every inline button. All stay far below Telegram's 64-byte limit.

Ids in callback data are only claims: handlers check them against the database and the user.
"""

from aiogram.filters.callback_data import CallbackData


class ScoreCb(CallbackData, prefix="s"):
    """A 0-10 score for a campaign."""

    campaign_id: int
    score: int


class SkipCb(CallbackData, prefix="k"):
    """Skip the open question of a response."""

    response_id: int


class DriverCb(CallbackData, prefix="d"):
    """Toggle one driver area of a response."""

    response_id: int
    area: str


class DoneCb(CallbackData, prefix="f"):
    """Finish choosing driver areas."""

    response_id: int


class ConfirmCb(CallbackData, prefix="c"):
    """Yes/no on a partner's destructive choice (stop, forget_me)."""

    action: str
    yes: bool


class LanguageCb(CallbackData, prefix="l"):
    """Switch the conversation language."""

    lang: str


def driver_data(response_id: int, area: str) -> str:
    """``DriverCb(response_id=..., area=...).pack()``, without building a model per button
    (nine per areas keyboard, rebuilt at every toggle). Areas are fixed words without the
    separator; tests/test_keyboards.py holds this equal to ``pack()``."""
    sep = DriverCb.__separator__
    return f"{DriverCb.__prefix__}{sep}{response_id}{sep}{area}"

"""Callback data of every inline button. All stay far below Telegram's 64-byte limit.

Ids in callback data are only claims: handlers check them against the database and the user.
Their range is checked here, once, for every factory: an id field is a :data:`DbId` (ASCII
digits, 1..2**63-1), a score a :data:`Score`. Data that does not fit makes the factory's filter
fail, so no handler sees it and the fallback answers the tap with a short message.
"""

from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator, Field

from storage.ids import MAX_ID, is_ascii_number


def _ascii_int(value: Any) -> Any:
    """Refuse what ``int()`` would take but a button never carries ('²', '٣', ' 1', '+1')."""
    if isinstance(value, str) and not is_ascii_number(value):
        raise ValueError("not an ASCII number")
    return value


DbId = Annotated[int, BeforeValidator(_ascii_int), Field(ge=1, le=MAX_ID)]
Score = Annotated[int, BeforeValidator(_ascii_int), Field(ge=0, le=10)]


class ScoreCb(CallbackData, prefix="s"):
    """A 0-10 score for a campaign."""

    campaign_id: DbId
    score: Score


class SkipCb(CallbackData, prefix="k"):
    """Skip the open question of a response."""

    response_id: DbId


class DriverCb(CallbackData, prefix="d"):
    """Toggle one driver area of a response."""

    response_id: DbId
    area: str


class DoneCb(CallbackData, prefix="f"):
    """Finish choosing driver areas."""

    response_id: DbId


class ConfirmCb(CallbackData, prefix="c"):
    """Yes/no on a partner's destructive choice (stop, forget_me)."""

    action: str
    yes: bool


class LanguageCb(CallbackData, prefix="l"):
    """Switch the conversation language."""

    lang: str


REPLY = "r"
RESOLVE = "x"


class AlertCb(CallbackData, prefix="al"):
    """Reply to / resolve alert ``alert_id`` (a claim: handlers check it against the database)."""

    action: str
    alert_id: DbId


LAUNCH = "launch"
PREVIEW = "preview"
CANCEL = "cancel"
ACTIONS = (LAUNCH, PREVIEW, CANCEL)


class CampaignCb(CallbackData, prefix="cm"):
    """An action on a draft campaign; the handler re-checks the campaign and the presser."""

    action: str
    campaign_id: DbId

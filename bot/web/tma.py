"""Who is asking the Mini App: Telegram's ``initData`` checked, then admin or manager.

The page sends ``Authorization: tma <initData>`` with every data request. The signature is
checked with aiogram's ``safe_parse_webapp_init_data`` (HMAC with the bot token, constant-time
compare); ``auth_date`` older than :data:`MAX_AGE` is refused too, so a leaked initData string
stops working within a day. A valid signature only says who the user is: access also needs the
user in ``ADMIN_IDS`` or, right now, in ``MANAGER_CHAT_ID``. Telegram is asked with
``getChatMember`` and the answer is kept for :data:`MEMBERSHIP_TTL`, so a manager who leaves the
group loses access within that time without every request costing a Bot API call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ChatMemberRestricted
from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data

from bot import managers_chat
from bot.services import Services
from bot.staff import MEMBER_STATUSES

log = logging.getLogger(__name__)

SCHEME = "tma"
MAX_AGE = timedelta(hours=24)
# Telegram's clock and ours may differ a little; an auth_date further ahead than this is forged.
CLOCK_SKEW = timedelta(minutes=5)
MEMBERSHIP_TTL = timedelta(minutes=1)
MAX_INIT_DATA = 8192  # Telegram's initData is well under 2 kB; bigger is not from Telegram

Clock = Callable[[], datetime]


class Unauthorized(Exception):
    """No initData, a bad signature or a stale one (HTTP 401)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """A checked user of the Mini App."""

    user_id: int
    language: str  # "ru" or "en"
    name: str
    start_param: str | None


def init_data_of(header: str | None) -> str:
    """The initData of an ``Authorization: tma <initData>`` header, else Unauthorized."""
    if not header:
        raise Unauthorized("no Authorization header")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != SCHEME or not value.strip():
        raise Unauthorized("not a tma Authorization header")
    if len(value) > MAX_INIT_DATA:
        raise Unauthorized("initData too long")
    return value.strip()


def check_init_data(token: str, init_data: str, *, now: datetime, default_locale: str = "ru") -> Viewer:
    """The user of a genuine, fresh initData; Unauthorized otherwise (the reason stays in logs)."""
    try:
        data: WebAppInitData = safe_parse_webapp_init_data(token, init_data)
    except ValueError as exc:  # bad signature, missing hash, malformed fields
        raise Unauthorized(f"invalid initData ({type(exc).__name__})") from None
    signed_at = data.auth_date
    if now - signed_at > MAX_AGE:
        raise Unauthorized("initData is stale")
    if signed_at - now > CLOCK_SKEW:
        raise Unauthorized("initData is from the future")
    user = data.user
    if user is None:  # initData without a user: opened from somewhere we never link
        raise Unauthorized("initData has no user")
    code = (user.language_code or "").lower()
    language = "ru" if code.startswith("ru") else "en" if code else default_locale
    name = " ".join(x for x in (user.first_name, user.last_name) if x) or str(user.id)
    return Viewer(user.id, language, name, data.start_param)


class Membership:
    """Admins and current members of the managers' chat, asked of Telegram once a minute per user."""

    def __init__(self, services: Services, clock: Clock, ttl: timedelta = MEMBERSHIP_TTL) -> None:
        self.services = services
        self.bot = services.bot
        self.settings = services.settings
        self.clock = clock
        self.ttl = ttl
        self._known: dict[int, tuple[bool, datetime]] = {}

    async def allows(self, user_id: int) -> bool:
        """True for ADMIN_IDS and members of MANAGER_CHAT_ID (as Telegram said at most ttl ago)."""
        if self.settings.is_admin(user_id):
            return True
        if self.settings.manager_chat_id is None:
            return False
        now = self.clock()
        known = self._known.get(user_id)
        if known is not None and known[1] > now:
            return known[0]
        chat = await managers_chat.chat_id(self.services)  # MANAGER_CHAT_ID or the supergroup it became
        member = await self._ask(chat, user_id) if chat is not None else None
        if member is not None:  # an unanswered question is asked again next time
            self._known[user_id] = (member, now + self.ttl)
            if len(self._known) > 10_000:  # a flood of strangers must not grow memory forever
                self._known = {k: v for k, v in self._known.items() if v[1] > now}
        return bool(member)

    async def _ask(self, chat: int, user_id: int) -> bool | None:
        try:
            member = await self.bot.get_chat_member(chat, user_id)
        except TelegramBadRequest as exc:  # "user not found": never was a member
            log.info("Not in the managers' chat: %s (%s)", user_id, exc)
            return False
        except TelegramAPIError as exc:
            log.info("Membership of %s in the managers' chat unknown: %s", user_id, exc)
            return None
        if isinstance(member, ChatMemberRestricted):
            return member.is_member
        return member.status in MEMBER_STATUSES

"""initData as Telegram's client builds it, signed here independently of the project's code."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID


def sign_init_data(token: str, user: dict[str, Any], auth_date: int, **fields: str) -> str:
    """A query string with ``hash`` = HMAC-SHA256(HMAC-SHA256("WebAppData", token), check string)."""
    data = {"auth_date": str(auth_date), "user": json.dumps(user, separators=(",", ":")), **fields}
    check = "\n".join(f"{k}={v}" for k, v in sorted(data.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    data["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(data)


def user(user_id: int, language_code: str = "ru", first_name: str = "Мария") -> dict[str, Any]:
    """The ``user`` field of initData."""
    return {"id": user_id, "first_name": first_name, "language_code": language_code}


def in_group(tg: FakeTelegram, user_id: int, first_name: str = "Мария") -> SimUser:
    """A user Telegram knows, a member of the managers' chat."""
    return SimUser(tg, user_id=user_id, first_name=first_name, language_code="ru", chat=MANAGER_CHAT_ID)

"""The HTTP session the bot talks to the Bot API with: aiogram's, with JSON request bodies.

aiogram posts every method as an urlencoded form, with nested objects (keyboards) as JSON
strings inside it: each keyboard is JSON-encoded and then percent-encoded. The Bot API accepts a
JSON body just as well, and one ``json.dumps`` of the whole method costs a fraction of that
(``python -m tests.benchmarks.ingest``). Methods that upload files still go as multipart forms.

JSON both ways is orjson's: encoding requests and decoding replies (every update comes through
``getUpdates``) were a tenth of the bot's CPU with the standard library's ``json``.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from typing import Any, cast

import orjson
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, Message
from aiohttp import ClientError, ClientTimeout

_JSON = {"Content-Type": "application/json"}


# As aiogram's form: unset and empty values are left out (False and 0 are sent).
_EMPTY: tuple[Any, ...] = ("", [], {})
# orjson writes these itself in ways aiogram does not (dates as ISO text): let them reach _refuse.
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def _dump(method: TelegramMethod[Any]) -> dict[str, Any]:
    # exclude_none: prepare_value drops them too, after walking every unset field.
    return method.model_dump(warnings=False, exclude_none=True)


def _plain_body(bot: Bot, dumped: dict[str, Any]) -> bytes | None:
    """The JSON body, when the method holds nothing but JSON values and top-level defaults.

    aiogram's ``prepare_value`` walks every value in Python to resolve defaults, dates, files
    and nested objects; for a survey message that walk cost more than the HTTP request. None
    (use ``prepare_value``) for anything else: files, dates, defaults inside nested objects."""
    body: dict[str, Any] = {}
    for key, value in dumped.items():
        if isinstance(value, Default):
            value = bot.default[value.name]
            if value is None:
                continue
            if not isinstance(value, str | int | float | Enum):
                return None
        if value not in _EMPTY:
            body[key] = value
    try:
        return orjson.dumps(body, default=_refuse, option=_PASSTHROUGH)
    except orjson.JSONEncodeError:
        return None


@lru_cache(maxsize=8)  # a handful of values, one per kind of call; each build cost ~3 µs
def _timeout(total: float) -> ClientTimeout:
    return ClientTimeout(total=total)


def dumps(value: Any) -> str:
    """``json.dumps`` as aiogram expects it (text), by orjson."""
    return orjson.dumps(value).decode()


class JsonBodySession(AiohttpSession):
    """See module docstring."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(json_loads=orjson.loads, json_dumps=dumps, **kwargs)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram signature)
    ) -> TelegramType:
        """Post ``method`` as JSON; fall back to aiogram's form for file uploads."""
        dumped = _dump(method)
        payload = _plain_body(bot, dumped)
        if payload is None:
            files: dict[str, Any] = {}
            body: dict[str, Any] = {}
            for key, value in dumped.items():
                prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
                if prepared is not None and prepared not in _EMPTY:
                    body[key] = prepared
            if files:
                return await super().make_request(bot, method, timeout)
            payload = orjson.dumps(body)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=payload,
                headers=_JSON,
                timeout=_timeout(self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        sent = getattr(method, "reply_markup", None)
        if resp.status == 200 and isinstance(sent, InlineKeyboardMarkup) and method.__returning__ is not Any:
            echoed = self._without_echoed_keyboard(bot, method, raw_result, sent)
            if echoed is not None:
                return echoed
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result)
        return cast(TelegramType, response.result)

    def _without_echoed_keyboard(
        self, bot: Bot, method: TelegramMethod[TelegramType], raw: str, sent: InlineKeyboardMarkup
    ) -> TelegramType | None:
        """The returned message, given the keyboard we sent instead of validating Telegram's copy.

        A message comes back with its keyboard; for the 0-10 question that is eleven more objects
        to validate, identical to the ones we just built. None when the reply is anything else."""
        data = self.json_loads(raw)
        result = data.get("result") if isinstance(data, dict) and data.get("ok") is True else None
        if not isinstance(result, dict) or "reply_markup" not in result:
            return None
        del result["reply_markup"]
        message = Response[method.__returning__].model_validate(data, context={"bot": bot}).result  # type: ignore[name-defined]
        if not isinstance(message, Message):
            return None
        return cast(TelegramType, message.model_copy(update={"reply_markup": sent}))

"""The HTTP session the bot talks to the Bot API with: aiogram's, with JSON request bodies.

aiogram posts every method as an urlencoded form, with nested objects (keyboards) as JSON
strings inside it: each keyboard is JSON-encoded and then percent-encoded. The Bot API accepts a
JSON body just as well, and one ``json.dumps`` of the whole method costs a fraction of that
(``python -m tests.benchmarks.ingest``). Methods that upload files still go as multipart forms.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout

_JSON = {"Content-Type": "application/json"}


class JsonBodySession(AiohttpSession):
    """See module docstring."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram signature)
    ) -> TelegramType:
        """Post ``method`` as JSON; fall back to aiogram's form for file uploads."""
        files: dict[str, Any] = {}
        body: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            # As aiogram's form: unset and empty values are left out (False and 0 are sent).
            if prepared is not None and prepared not in ("", [], {}):
                body[key] = prepared
        if files:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=self.json_dumps(body),
                headers=_JSON,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result)
        return cast(TelegramType, response.result)

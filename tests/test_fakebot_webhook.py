"""The fake's webhook delivery behaves like Telegram's: secret header, retries, max_connections."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramConflictError
from aiohttp import web

from tests.fakebot import FakeTelegram
from tests.fakebot.webhook import SECRET_HEADER
from tests.helpers import TOKEN

USER = {"id": 42, "is_bot": False, "first_name": "P"}


class Replica:
    """A stub receiver: fails each update's first try in turn (500, timeout, dropped connection)."""

    def __init__(self) -> None:
        self.tries: Counter[int] = Counter()
        self.secrets: set[str | None] = set()
        self.in_flight = 0
        self.max_in_flight = 0
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.secrets.add(request.headers.get(SECRET_HEADER))
        update = await request.json()
        uid = int(update["update_id"])
        self.tries[uid] += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.05)  # hold the connection so concurrency shows
            if self.tries[uid] == 1:
                if uid % 3 == 0:
                    return web.Response(status=500)
                if uid % 3 == 1:
                    await asyncio.sleep(1.0)  # past the fake's timeout
                elif request.transport is not None:
                    request.transport.close()  # dropped connection
            return web.json_response({"ok": True})
        finally:
            self.in_flight -= 1

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"


@pytest.fixture
async def replica() -> AsyncIterator[Replica]:
    stub = Replica()
    await stub.start()
    try:
        yield stub
    finally:
        assert stub.runner is not None
        await stub.runner.cleanup()


async def test_delivery_retries_every_failure_kind_within_max_connections(
    tg: FakeTelegram, replica: Replica
) -> None:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    try:
        tg.webhook.targets = [replica.base]
        tg.webhook.timeout = 0.3
        assert await bot.set_webhook("https://example.test/hook", secret_token="abc", max_connections=2)
        ids = [tg.push_message(USER, text=f"m{i}") for i in range(9)]
        await tg.wait_until(lambda: all(tg.webhook.acked[i] == 1 for i in ids), timeout=15)
        info = await bot.get_webhook_info()
        assert info.url == "https://example.test/hook" and info.pending_update_count == 0
        assert info.max_connections == 2
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    finally:
        await bot.session.close()
    assert replica.secrets == {"abc"}
    assert all(replica.tries[i] == 2 for i in ids)  # one failure each, then delivered
    # Never more than max_connections requests open (an abandoned one is closed at the timeout,
    # though the stub may still be sleeping on it).
    assert tg.webhook.max_in_flight_seen == 2
    outcomes: set[Any] = {a.outcome for a in tg.webhook.attempts}
    assert {500, 200} <= outcomes and len(outcomes - {500, 200}) >= 1  # timeouts / dropped

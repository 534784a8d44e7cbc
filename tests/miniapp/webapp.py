"""The Mini App's routes on a real aiohttp server on loopback, for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from aiohttp.test_utils import TestServer

from bot.app import App
from bot.web.app import create_web_app
from storage.models import utcnow


class Clock:
    """Time the tests move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def serving(app: App, clock: Clock | None = None) -> AsyncIterator[TestServer]:
    """The Mini App of ``app``'s services served on 127.0.0.1 (any free port)."""
    webapp = create_web_app(app.services, clock=clock or utcnow)
    server = TestServer(webapp, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()

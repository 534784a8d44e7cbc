"""aiogram's HTTP session as the tests' bots use it against the fake Bot API."""

from __future__ import annotations

from aiogram.client.session.aiohttp import AiohttpSession
from aiohttp import ClientSession


class LoopbackSession(AiohttpSession):
    """aiogram's session, closed without its 0.25 s wait.

    aiogram's ``close()`` waits 0.25 s after closing its aiohttp session, so that TLS connections
    wind down before the event loop ends. The fake Bot API speaks plain HTTP on loopback, and
    that wait, once per app a test stops, came to ~90 s of each pass of the suite. Only public
    parts: the client is the one ``create_session()`` returns, closed as aiohttp documents."""

    client: ClientSession | None = None

    async def create_session(self) -> ClientSession:
        """aiogram's, remembered so that :meth:`close` can close it."""
        self.client = await super().create_session()
        return self.client

    async def close(self) -> None:
        """Close the client at once (no TLS to wind down)."""
        if self.client is not None and not self.client.closed:
            await self.client.close()

"""A webhook receiver for tests: aiohttp on 127.0.0.1 verifying every delivery with the
``standardwebhooks`` package's own ``Webhook.verify``.

``mode`` says how it answers: "ok" (204), "fail" (500), "hang" (never, until released: the
sender's timeout fires), "gone" (410), "redirect" (302 to /elsewhere, which counts its hits).
``delay`` (seconds) makes every answer take that long (the benchmark's slow CRM);
with ``retry_after`` "fail" answers 503 with that Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from standardwebhooks import Webhook


@dataclass
class Received:
    """One verified delivery."""

    msg_id: str
    type: str
    data: dict[str, Any]
    timestamp: str
    at: float = 0.0  # time.time() when it arrived


@dataclass
class Receiver:
    """See the module docstring."""

    secret: str
    mode: str = "ok"
    delay: float = 0.0
    retry_after: str | None = None
    received: list[Received] = field(default_factory=list)
    unverified: int = 0
    requests: int = 0
    redirected_hits: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""
    stopping: bool = False  # answers 503 at once while the test tears it down
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        app.router.add_route("*", "/elsewhere", self._elsewhere)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self.url

    async def stop(self) -> None:
        # The app under test may still be sending (fixtures stop in reverse order): refuse new
        # requests and bound the shutdown, so a busy sender cannot hold the teardown.
        self.stopping = True
        self.release.set()
        if self._runner is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._runner.cleanup(), 10)

    async def _hook(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.stopping:
            return web.Response(status=503)
        body = await request.text()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.mode == "hang":
            await self.release.wait()
            return web.Response(status=503)
        if self.mode == "fail":
            if self.retry_after is not None:
                return web.Response(status=503, text="down", headers={"Retry-After": self.retry_after})
            return web.Response(status=500, text="down")
        if self.mode == "gone":
            return web.Response(status=410)
        if self.mode == "redirect":
            raise web.HTTPFound("/elsewhere")
        try:
            payload = Webhook(self.secret).verify(body, dict(request.headers))
        except Exception:
            self.unverified += 1
            return web.Response(status=400, text="bad signature")
        event = payload if isinstance(payload, dict) else orjson.loads(body)
        self.received.append(
            Received(
                request.headers["webhook-id"], event["type"], event["data"], event["timestamp"], time.time()
            )
        )
        return web.Response(status=204)

    async def _elsewhere(self, request: web.Request) -> web.Response:
        self.redirected_hits += 1
        return web.Response(status=204)

    def types_by_partner(self) -> dict[str, list[str]]:
        """First-seen event types per partner ``external_id``, in arrival order."""
        out: dict[str, list[str]] = {}
        for r in self.first_seen():
            out.setdefault(r.data["external_id"], []).append(r.type)
        return out

    def repeats_identical(self) -> bool:
        """Whether every repeat is the same event: same webhook-id, same type and body."""
        bodies: dict[str, tuple[str, dict[str, Any]]] = {}
        return all(bodies.setdefault(r.msg_id, (r.type, r.data)) == (r.type, r.data) for r in self.received)

    def first_seen(self) -> list[Received]:
        """Deliveries without repeats (a repeat has the same webhook-id), in arrival order."""
        seen: set[str] = set()
        out: list[Received] = []
        for r in self.received:
            if r.msg_id not in seen:
                seen.add(r.msg_id)
                out.append(r)
        return out

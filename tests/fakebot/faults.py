"""Failures the fake Bot API injects on request: what real servers and the proxies in front of
them answer when things go wrong (5xx, HTML error pages, 401, 409, 429, timeouts, drops)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .state import ApiCall, Failure
from .updates import CONFLICT
from .wire import ApiError, DecodedRequest

log = logging.getLogger(__name__)

Handler = Callable[[Any, DecodedRequest], Awaitable[Any]]

FAILURE_KINDS = frozenset(
    {"5xx", "500", "502", "html502", "401", "409", "echo400", "timeout", "disconnect", "429"}
)

# What nginx in front of a busy local Bot API server answers: not JSON at all.
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class FaultMixin:
    """Failure injection of :class:`~tests.fakebot.server.FakeTelegram`."""

    _failures: list[Failure]
    timeout_delay: float

    async def _execute(self, call: ApiCall, handler: Handler, decoded: DecodedRequest) -> web.Response:
        raise NotImplementedError  # the server's: run the method

    def _reply(self, call: ApiCall, outcome: ApiError | dict[str, Any]) -> web.Response:
        raise NotImplementedError  # the server's: answer and record

    async def _sleep(self, delay: float) -> None:
        raise NotImplementedError  # the server's: ends early when it stops

    def inject_failure(
        self,
        method: str | None = "sendMessage",
        kind: str = "5xx",
        count: int = 1,
        chat_id: int | None = None,
        *,
        deliver: bool = False,
        retry_after: int = 1,
        skip: int = 0,
    ) -> None:
        """Make the next ``count`` matching calls fail (after letting ``skip`` of them through).

        kind: ``"5xx"``/``"500"``/``"502"`` (error JSON), ``"html502"`` (a proxy's
        HTML page, not JSON), ``"401"`` (token rejected), ``"409"`` (another poller), ``"echo400"``
        (an error quoting the request path, token included), ``"429"`` (flood
        error with ``retry_after``), ``"timeout"`` (answer only after
        ``timeout_delay`` s) or ``"disconnect"`` (drop the connection).
        ``deliver=True`` makes timeout/disconnect still execute the method -
        the nasty real-world case where Telegram did send the message but the
        bot never saw the answer.  ``method=None`` matches every method.
        """
        if kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {kind!r}; use one of {sorted(FAILURE_KINDS)}")
        self._failures.append(Failure(method, kind, count, chat_id, deliver, retry_after, skip))

    def clear_failures(self) -> None:
        self._failures.clear()

    def _take_failure(self, method: str, chat_id: int | str | None) -> Failure | None:
        for failure in self._failures:
            if failure.count > 0 and failure.matches(method, chat_id):
                if failure.skip > 0:
                    failure.skip -= 1
                    return None
                failure.count -= 1
                if failure.count <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _inject(
        self,
        request: web.Request,
        call: ApiCall,
        failure: Failure,
        handler: Handler,
        decoded: DecodedRequest,
    ) -> web.StreamResponse:
        call.injected = failure.kind
        log.debug("injecting %s into %s", failure.kind, call.method)
        if failure.kind in ("5xx", "500"):
            return self._reply(call, ApiError(500, "Internal Server Error"))
        if failure.kind == "502":
            return self._reply(call, ApiError(502, "Bad Gateway"))
        if failure.kind == "html502":
            call.status, call.response = 502, None
            return web.Response(status=502, text=HTML_502, content_type="text/html")
        if failure.kind == "401":
            return self._reply(call, ApiError(401, "Unauthorized"))
        if failure.kind == "echo400":  # a proxy that quotes the URL (and so the token) back
            return self._reply(call, ApiError(400, f"Bad Request: no route for {request.path}"))
        if failure.kind == "409":
            return self._reply(call, ApiError(409, CONFLICT))
        if failure.kind == "429":
            n = failure.retry_after
            return self._reply(call, ApiError(429, f"Too Many Requests: retry after {n}", n))
        if failure.kind == "timeout":
            await self._sleep(self.timeout_delay)
            if failure.deliver:
                return await self._execute(call, handler, decoded)
            return self._reply(call, ApiError(504, "Gateway Timeout"))
        # disconnect
        if failure.deliver:
            await self._execute(call, handler, decoded)
        call.status, call.response = 0, None
        if request.transport is not None:
            request.transport.close()
        # Nothing can be written any more; aiohttp drops the response quietly.
        raise asyncio.CancelledError()

"""Serving the web application on WEB_HOST:WEB_PORT beside long polling (``nps-bot run``)."""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)


class WebServer:
    """Listens with ``app`` from :meth:`start` to :meth:`stop`; ``port`` is the bound one."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port  # port 0: any free one, known once started
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Bind and serve."""
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=5)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("HTTP server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop accepting requests; those in progress are answered."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

"""What the web application holds for its handlers (typed aiohttp AppKeys)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.services import Services

SERVICES = web.AppKey("services", Services)
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
HEADS: web.AppKey[frozenset[str]] = web.AppKey("heads")

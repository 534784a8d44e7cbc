"""``/api/v1/partners``, ``/api/v1/metrics`` and ``/api/v1/retention`` (issue 24)."""

from __future__ import annotations

from aiohttp import web

from bot.services import Services


def add_routes(app: web.Application, services: Services) -> None:
    """Add this module's routes (filled in by the import and retention steps)."""

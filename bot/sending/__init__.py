"""Bulk sending engine (worker): global rate limit, per-chat spacing, durable outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services


def notify(services: Services) -> None:
    """Wake this process's sender after queueing deliveries (it polls every second anyway)."""
    if services.sender is not None:
        services.sender.notify()

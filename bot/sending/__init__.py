"""Bulk sending engine: global rate limit, per-chat spacing, durable outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.sending.engine import SendingEngine
    from bot.services import Services


def sender_of(services: Services) -> SendingEngine | None:
    """The running app's sending engine (None in tools that build no app)."""
    return services.extras.get("sender")


def notify(services: Services) -> None:
    """Wake the engine after queueing deliveries (it polls every second anyway)."""
    engine = sender_of(services)
    if engine is not None:
        engine.notify()

"""Receivers: how updates reach the handlers. Long polling (role ``run``) or the webhook app."""

from __future__ import annotations

from typing import Protocol


class Receiver(Protocol):
    """Runs until :meth:`stop`; hands every update to the dispatcher, journal first."""

    async def run(self) -> None:
        """Receive until stopped."""

    def stop(self) -> None:
        """Begin a clean shutdown."""

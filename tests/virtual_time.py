"""An event loop on virtual time: sleeps take no wall-clock time, and time moves only by them.

When nothing is ready, the loop jumps its clock straight to the next timer instead of waiting.
Code that takes a ``clock`` (``loop.time``) and sleeps with ``asyncio.sleep`` then behaves
exactly as on a real loop with an idle machine, however loaded the real machine is.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _JumpingSelector(selectors.DefaultSelector):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = super().select(0)
        if not events and timeout:
            self.now += timeout  # nothing to do until the next timer: be there at once
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """``time()`` is virtual; see the module docstring. For code without real I/O."""

    def __init__(self) -> None:
        self._jumping = _JumpingSelector()
        super().__init__(self._jumping)

    def time(self) -> float:
        return self._jumping.now


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a fresh :class:`VirtualTimeLoop`."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()

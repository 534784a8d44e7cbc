"""How the bot process runs: the event loop, and the garbage collector once start-up is done.

- uvloop where it is installed (Linux, macOS), else asyncio's loop: it makes every network and
  thread wake-up cheaper, and the bot spends much of each update on both.
- :func:`settle_heap` after start-up: aiogram, pydantic and SQLAlchemy leave ~1M long-lived
  objects, and every full collection walked all of them (about 0.3 s each, several per minute
  under load: a tenth of the CPU in ``python -m tests.benchmarks.ingest``). Frozen, they are
  skipped; a larger first generation lets most short-lived objects die by reference counting
  before any collection looks at them.

The ingest benchmark runs the echo bot it compares against the same way.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the fastest available loop."""
    try:
        import uvloop
    except ImportError:  # Windows: uvloop is not published there
        return asyncio.run(main)
    return uvloop.run(main)


# First-generation threshold (CPython's default is 700); the older generations keep theirs.
YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Freeze what start-up built and collect young objects less often (see module docstring)."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)

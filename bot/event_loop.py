"""The event loop the bot runs on: uvloop where it is installed (Linux, macOS), else asyncio's.

uvloop makes every network and thread wake-up cheaper; the bot spends much of each update on
both. The ingest benchmark runs the echo bot it compares against on the same loop.
"""

from __future__ import annotations

import asyncio
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

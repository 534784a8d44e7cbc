"""Keep aiogram's parametrised ``Response[T]`` models alive.

aiogram validates every API reply with ``Response[method.__returning__]``. Pydantic caches such
generic classes only weakly, so each one was garbage-collected and rebuilt (about 9 ms of CPU)
on most requests. Building all of them once (about 0.1 s) and holding them here removes that cost.
"""

from __future__ import annotations

import inspect
from typing import Any

import aiogram.methods as methods
from aiogram.methods import Response, TelegramMethod

_PINNED: list[Any] = []


def pin_response_models() -> int:
    """Build and hold ``Response[T]`` for every method's return type; returns how many."""
    if _PINNED:
        return len(_PINNED)
    returning = {
        cls.__returning__
        for cls in vars(methods).values()
        if inspect.isclass(cls)
        and issubclass(cls, TelegramMethod)
        and cls is not TelegramMethod
        and hasattr(cls, "__returning__")
    }
    _PINNED.extend(Response[t] for t in returning)  # type: ignore[valid-type]
    return len(_PINNED)

"""Numbers typed or tapped by users, parsed once, the same way everywhere.

``str.isdigit()`` and ``int()`` accept far more than an id: ``'²'.isdigit()`` is true (and
``int('²')`` then fails), ``int('٣')`` is 3, and twenty digits overflow a 64-bit column. Every
id from a command argument, callback data or a CSV goes through :func:`parse_id`.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite: both signed 64-bit
_ASCII_DIGITS = frozenset("0123456789")


def is_ascii_number(text: str) -> bool:
    """Only the ASCII digits 0-9, at least one."""
    return bool(text) and all(ch in _ASCII_DIGITS for ch in text)


def parse_int(text: str, low: int, high: int) -> int | None:
    """An integer of ASCII digits within ``low..high``; None for anything else."""
    text = text.strip()
    if not is_ascii_number(text) or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(text: str | None, *, allow_hash: bool = True) -> int | None:
    """A database or Telegram id: positive, at most 2**63-1, ASCII digits (``#12`` allowed)."""
    token = (text or "").strip()
    if allow_hash:
        token = token.removeprefix("#")
    return parse_int(token, 1, MAX_ID)

"""Placeholder: the sending engine attaches itself to the app here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


def install(app: "App") -> None:
    """Attach the sending engine (filled in by its owner)."""

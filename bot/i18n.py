"""Fluent translations. Every ``bot/locales/<lang>/*.ftl`` file is one resource of that language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fluent.runtime import FluentLocalization, FluentResourceLoader

LOCALES = ("ru", "en")
LOCALES_DIR = Path(__file__).parent / "locales"

Translate = Callable[..., str]


class Translator:
    """Loads all locale files once and formats messages by key."""

    def __init__(self, default_locale: str = "ru", root: Path = LOCALES_DIR) -> None:
        self.default_locale = default_locale
        loader = FluentResourceLoader(str(root / "{locale}"))
        files = sorted(p.name for p in (root / "ru").glob("*.ftl"))
        self._bundles = {
            lang: FluentLocalization([lang], files, loader, use_isolating=False) for lang in LOCALES
        }
        # Messages without arguments always format the same: buttons, questions, area names are
        # formatted many times per update, so each is formatted once per locale.
        self._plain: dict[str, dict[str, str]] = {lang: {} for lang in LOCALES}

    def resolve_locale(self, language: str | None) -> str:
        """Pick ``ru``/``en`` from a stored preference or Telegram's language_code."""
        if language:
            short = language.split("-")[0].lower()
            if short in LOCALES:
                return short
        return self.default_locale

    def get(self, locale: str, key: str, **kwargs: Any) -> str:
        """Format ``key`` in ``locale``."""
        return self._format(self.resolve_locale(locale), key, kwargs)

    def bind(self, locale: str) -> Translate:
        """A ``_(key, **kwargs)`` function for one locale."""
        resolved = self.resolve_locale(locale)

        def _(key: str, **kwargs: Any) -> str:
            return self._format(resolved, key, kwargs)

        return _

    def _format(self, locale: str, key: str, kwargs: dict[str, Any]) -> str:
        if kwargs:
            return self._bundles[locale].format_value(key, kwargs)
        plain = self._plain[locale]
        text = plain.get(key)
        if text is None:
            text = plain[key] = self._bundles[locale].format_value(key, kwargs)
        return text

    def has(self, locale: str, key: str) -> bool:
        """True when ``key`` exists in ``locale``'s files (used by the completeness test)."""
        bundle = self._bundles[locale]
        return any(b.has_message(key) for b in bundle._bundles())

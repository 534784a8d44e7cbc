"""Fluent translations. Every ``bot/locales/<lang>/*.ftl`` file is one resource of that language.

Fluent refuses to expand an argument longer than 2,500 characters (a guard against memory
abuse) and then yields ``{???}`` instead of the message. Our arguments are often user text (a
relayed reply, an import report, a segment list), so long text arguments never reach Fluent:
each is replaced by a placeholder, the message is formatted, and the placeholders are swapped
for the values afterwards. Any other formatting error raises :class:`TranslationError` instead
of going out to a user as a broken message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle
from fluent.syntax import FluentParser

from storage.areas import area_name

LOCALES = ("ru", "en")
LOCALES_DIR = Path(__file__).parent / "locales"
# Arguments longer than this are substituted after formatting. Short ones stay in Fluent, so
# select expressions on them (``{ $status -> ... }``) keep working.
INLINE_LIMIT = 200
# Private-use characters: never in our .ftl files, and a user's text containing them cannot
# be mistaken for a placeholder, because substitution runs once over the formatted message.
_SLOT = re.compile("\ue000(\\d+)\ue001")

Translate = Callable[..., str]


class TranslationError(RuntimeError):
    """A message could not be formatted (a missing argument, a broken pattern)."""


class Translator:
    """Loads all locale files once and formats messages by key."""

    def __init__(self, default_locale: str = "ru", root: Path = LOCALES_DIR) -> None:
        self.default_locale = default_locale
        files = sorted(p.name for p in (root / "ru").glob("*.ftl"))
        # Without source positions (only tooling reads them): 10 % less of the ~65 ms parse.
        parser = FluentParser(with_spans=False)
        self._bundles: dict[str, FluentBundle] = {}
        for lang in LOCALES:
            bundle = FluentBundle([lang], use_isolating=False)
            for name in files:
                path = root / lang / name
                if path.exists():
                    bundle.add_resource(parser.parse(path.read_text(encoding="utf-8")))
            self._bundles[lang] = bundle
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
        if key.startswith("area-") and (named := area_name(key[5:], locale)) is not None:
            return named  # an install's own area names (AREAS_FILE) win over the locale files
        if kwargs:
            return self._render(locale, key, kwargs)
        plain = self._plain[locale]
        text = plain.get(key)
        if text is None:
            text = plain[key] = self._render(locale, key, kwargs)
        return text

    def _render(self, locale: str, key: str, kwargs: dict[str, Any]) -> str:
        bundle = self._bundles[locale]
        if not bundle.has_message(key):
            return key  # what Fluent does too; tests/test_locales.py keeps every key present
        pattern = bundle.get_message(key).value
        if pattern is None:
            return key
        args: dict[str, Any] = {}
        long_values: list[str] = []
        for name, value in kwargs.items():
            if isinstance(value, str) and len(value) > INLINE_LIMIT:
                args[name] = f"\ue000{len(long_values)}\ue001"
                long_values.append(value)
            else:
                args[name] = value
        text, errors = bundle.format_pattern(pattern, args)
        if errors:
            raise TranslationError(f"{locale}/{key}: {errors[0]}")
        result = str(text)
        if long_values:
            result = _SLOT.sub(lambda m: long_values[int(m.group(1))], result)
        return result

    def has(self, locale: str, key: str) -> bool:
        """True when ``key`` exists in ``locale``'s files (used by the completeness test)."""
        return self._bundles[locale].has_message(key)

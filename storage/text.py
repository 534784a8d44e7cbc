"""Text as it may be stored and written to files: one place for the rules every writer shares.

* :func:`clean_text` drops characters XML 1.0 forbids (C0 controls except tab, line feed and
  carriage return; lone surrogates; U+FFFE/U+FFFF). XLSX is XML, and openpyxl refuses a cell
  holding one (``IllegalCharacterError``); in Telegram text they are invisible noise anyway.
  Import and survey input drop them on the way in, exports again on the way out (rows stored
  before this rule existed must export too).
* :func:`safe_cell` is what every CSV/XLSX cell we write goes through: cleaned, and text a
  spreadsheet would run as a formula (``= + - @``, a leading tab or carriage return) gets a
  leading apostrophe (CSV injection).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: str) -> str:
    """``text`` without XML-illegal characters (``\\x07``, ``\\x0b``, NUL...)."""
    return _XML_ILLEGAL.sub("", text)


def clean_optional(text: str | None) -> str | None:
    """:func:`clean_text` that lets ``None`` through."""
    return None if text is None else clean_text(text)


def safe_cell(value: Any) -> Any:
    """A cell value safe for CSV and XLSX: cleaned text, formulas neutralised; others as given."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """:func:`safe_cell` of every value of a row."""
    return [safe_cell(v) for v in values]

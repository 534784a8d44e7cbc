"""Driver areas: the one place that names what can drive a partner's score.

The drivers keyboard, locale names (``area-<key>``), analytics, the comment classifier, ``/themes``
and exports all read the areas from here. The default eight stay unless an install sets
``AREAS_FILE`` to a TOML file (read once at start-up by :func:`configure`) that lists its areas in
order, each with names in both languages and seed keywords for the classifier::

    [[area]]
    key = "support"                  # a default area: names optional (the locale files have them)
    keywords = ["саппорт*", "supp"]  # extra keywords (``word*`` = a stem), added to the lexicon

    [[area]]
    key = "tracking"                 # a new area: names in both languages
    ru = "Трекинг и постбэки"
    en = "Tracking and postbacks"
    keywords = ["постбэк*", "postback*", "трекер*"]

    [[retired]]                      # no longer asked, still named in old answers and exports
    key = "hold"
    ru = "Холд"
    en = "Hold period"

A default area the file does not list is removed (its name stays known); ``other`` is always
last. A bad file raises :class:`AreasError` with one line naming the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

OTHER = "other"
DEFAULT_AREAS: tuple[str, ...] = (
    "support",
    "commission",
    "marketing",
    "portal",
    "payouts",
    "communication",
    "training",
    OTHER,
)
LANGUAGES = ("ru", "en")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_KEYWORD_MAX = 60
_AREAS_MAX = 20  # two buttons a row: more would not fit a phone screen


class AreasError(ValueError):
    """The areas file is unusable; the message is one line naming the problem."""


@dataclass(frozen=True, slots=True)
class Area:
    """One area: key (stored in answers), names by language (empty: the locale's), seed keywords."""

    key: str
    names: dict[str, str] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AreaSet:
    """The install's areas in keyboard order (``other`` last) and the retired ones."""

    areas: tuple[Area, ...]
    retired: tuple[Area, ...] = ()
    source: str | None = None  # the file they came from, None for the defaults

    @property
    def keys(self) -> tuple[str, ...]:
        """Active area keys, ``other`` last."""
        return tuple(a.key for a in self.areas)

    def name(self, key: str, locale: str) -> str | None:
        """The configured name of an active or retired area, None when the locale files name it."""
        for area in (*self.areas, *self.retired):
            if area.key == key:
                return area.names.get(locale) or area.names.get("en") or None
        return None

    def keywords(self) -> dict[str, tuple[str, ...]]:
        """area -> seed keywords of active areas that have some."""
        return {a.key: a.keywords for a in self.areas if a.keywords}


DEFAULT = AreaSet(tuple(Area(key) for key in DEFAULT_AREAS))
_current: AreaSet = DEFAULT


def current() -> AreaSet:
    """The areas of this install."""
    return _current


def active() -> tuple[str, ...]:
    """Active area keys in keyboard order, ``other`` last."""
    return _current.keys


def is_area(key: str) -> bool:
    """Return True when ``key`` names an active driver area."""
    return key in _current.keys


def area_name(key: str, locale: str) -> str | None:
    """The configured name of an area in ``locale``, None when the locale files hold it."""
    return _current.name(key, locale)


def configure(path: str | Path | None) -> AreaSet:
    """Read the areas file (None: the defaults) and make it current; AreasError when it is bad."""
    global _current
    _current = DEFAULT if path is None or str(path).strip() == "" else load(Path(path))
    return _current  # the classifier's lexicon notices the new set itself (storage/analytics/themes/rules.py)


def load(path: Path) -> AreaSet:
    """Parse and check an areas file."""
    where = f"AREAS_FILE {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AreasError(f"{where}: cannot read it ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise AreasError(f"{where}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AreasError(f"{where}: not valid TOML ({exc})") from exc
    unknown = set(data) - {"area", "retired"}
    if unknown:
        raise AreasError(f"{where}: unknown section {sorted(unknown)[0]!r} (expected [[area]], [[retired]])")
    rows, retired_rows = data.get("area"), data.get("retired", [])
    if not isinstance(rows, list) or not rows:
        raise AreasError(f"{where}: no [[area]] entries")
    if not isinstance(retired_rows, list):
        raise AreasError(f"{where}: 'retired' must be a list of [[retired]] tables")
    areas = [_area(row, f"{where}: area {n}", keywords=True) for n, row in enumerate(rows, start=1)]
    retired = [_area(row, f"{where}: retired {n}", keywords=False) for n, row in enumerate(retired_rows, 1)]
    seen: set[str] = set()
    for area in (*areas, *retired):
        if area.key in seen:
            raise AreasError(f"{where}: area {area.key!r} is listed twice")
        seen.add(area.key)
    if not any(a.key != OTHER for a in areas):
        raise AreasError(f"{where}: no areas besides 'other'")
    other = next((a for a in areas if a.key == OTHER), Area(OTHER))
    ordered = (*(a for a in areas if a.key != OTHER), other)
    if len(ordered) > _AREAS_MAX:
        raise AreasError(f"{where}: {len(ordered)} areas, at most {_AREAS_MAX} fit the keyboard")
    return AreaSet(ordered, tuple(retired), str(path))


def _area(row: object, where: str, *, keywords: bool) -> Area:
    if not isinstance(row, dict):
        raise AreasError(f"{where}: must be a table")
    key = row.get("key")
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise AreasError(f"{where}: 'key' must be lower-case latin letters, digits or _ (at most 32)")
    allowed = {"key", *LANGUAGES} | ({"keywords"} if keywords else set())
    extra = set(row) - allowed
    if extra:
        raise AreasError(f"{where} ({key!r}): unknown field {sorted(extra)[0]!r}")
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        value = row.get(lang)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise AreasError(f"{where} ({key!r}): '{lang}' must be a name of 1-64 characters")
        names[lang] = value.strip()
    if key not in DEFAULT_AREAS and len(names) != len(LANGUAGES):
        missing = next(lang for lang in LANGUAGES if lang not in names)
        raise AreasError(f"{where} ({key!r}): a new area needs a name in '{missing}'")
    words = row.get("keywords", [])
    if not isinstance(words, list) or not all(
        isinstance(w, str) and w.strip() and len(w) <= _KEYWORD_MAX for w in words
    ):
        raise AreasError(f"{where} ({key!r}): 'keywords' must be a list of non-empty strings")
    return Area(key, names, tuple(w.strip() for w in words))


# Import-time view for code that only needs the default keys (scripts, old callers).
AREAS: tuple[str, ...] = DEFAULT_AREAS

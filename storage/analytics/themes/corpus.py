"""The labelled comments the theme model learns from (``storage/analytics/themes/data/themes_train_*.txt``).

One comment a line, ``labels | text``; labels separated by ``;`` with the main area first;
``#`` starts a note. The same reader loads the held-out split in ``tests/data``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_FILES = ("themes_train_ru.txt", "themes_train_ru2.txt", "themes_train_en.txt", "themes_train_mix.txt")

_CYR_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_LAT_RE = re.compile(r"[a-z]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled comment: labels in the order written (the main area first)."""

    text: str
    language: str
    labels: tuple[str, ...]

    @property
    def label_set(self) -> frozenset[str]:
        """The labels as a set."""
        return frozenset(self.labels)


def language_of(text: str) -> str:
    """``ru`` when the text has at least as many Cyrillic letters as Latin ones, else ``en``."""
    return "ru" if len(_CYR_RE.findall(text)) >= len(_LAT_RE.findall(text)) else "en"


def read(path: Path) -> list[Example]:
    """Examples of one corpus file; a malformed line raises ValueError naming it."""
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        labels, sep, text = line.partition(" | ")
        keys = tuple(k.strip() for k in labels.split(";") if k.strip())
        if not sep or not keys or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected 'labels | text'")
        examples.append(Example(text.strip(), language_of(text), keys))
    return examples


def training_examples() -> list[Example]:
    """Every training example, in file order (the model's input, so its order is fixed)."""
    return [e for name in TRAIN_FILES for e in read(DATA_DIR / name)]

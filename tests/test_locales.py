"""Every user-facing string exists in both languages and formats without errors."""

from __future__ import annotations

import re
from pathlib import Path

from fluent.syntax import FluentParser, ast

from bot.i18n import LOCALES, LOCALES_DIR, Translator
from storage.areas import AREAS


def _keys(lang: str) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [e for e in resource.body if isinstance(e, ast.Junk)]
        assert not junk, f"{path}: syntax error near {junk[0].content[:80]!r}"
        keys[path.name] = {e.id.name for e in resource.body if isinstance(e, ast.Message)}
    return keys


def test_both_languages_have_the_same_files_and_keys() -> None:
    ru, en = _keys("ru"), _keys("en")
    assert set(ru) == set(en)
    for name in ru:
        assert ru[name] - en[name] == set(), f"{name}: missing in en"
        assert en[name] - ru[name] == set(), f"{name}: missing in ru"


def test_every_key_used_in_code_exists() -> None:
    root = Path(__file__).resolve().parents[1]
    used: set[str] = set()
    pattern = re.compile(r"""\b_\(\s*["']([a-z][a-z0-9-]+)["']""")
    for path in (root / "bot").rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    translator = Translator()
    for lang in LOCALES:
        missing = {k for k in used if not translator.has(lang, k)}
        assert not missing, f"{lang}: {sorted(missing)}"
        for area in AREAS:
            assert translator.has(lang, f"area-{area}")


def test_standard_question_wording() -> None:
    t = Translator()
    assert (
        "Насколько вероятно, что вы порекомендуете нашу партнерскую программу своим коллегам или друзьям?"
        in t.get("ru", "q-score")
    )
    assert "How likely are you to recommend our partner program to a colleague or friend?" in t.get(
        "en", "q-score"
    )

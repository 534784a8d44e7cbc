"""The keyword half of the theme classifier: the lexicon of :mod:`storage.analytics.themes.lexicon`
plus the install's seed keywords (``storage.areas``).

Typos are tolerated cheaply: ``ё`` -> ``е``, repeated letters collapsed ("комисия" == "комиссия"),
Latin/Cyrillic look-alikes unified inside a word, and stems of 6+ letters match with one edit when
the word is not a dictionary word ("поддеркжа", "payuots"). Phrases are matched before single
words and consume their tokens ("комиссия за вывод" is a payout matter).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from storage import areas
from storage.analytics.comment_text import CLAUSE_RE as _CLAUSE_RE
from storage.analytics.comment_text import MAX_CHARS
from storage.analytics.comment_text import analyzer as _analyzer
from storage.analytics.comment_text import clean as _clean
from storage.analytics.comment_text import collapse as _collapse
from storage.analytics.comment_text import en_stem as _en_stem
from storage.analytics.comment_text import is_cyrillic as _is_cyrillic
from storage.analytics.comment_text import normal_forms as _normal_forms
from storage.analytics.comment_text import tokens as _tokens
from storage.analytics.themes.lexicon import LEXICON, NEUTRAL

__all__ = ["lexicon_areas", "lexicon_scores", "reset"]

STRONG, WEAK = 2, 1
_MIN_SECONDARY = STRONG  # a second area needs at least one strong keyword
_FUZZY_MIN_STEM = 6
_MAX_PHRASE_GAP = 1


@lru_cache(maxsize=100_000)
def _keys(token: str) -> tuple[str, ...]:
    """Forms a lexicon pattern is compared with: the token and its likely lemmas, letters collapsed."""
    forms = {token}
    if _is_cyrillic(token):
        forms.update(_normal_forms(token))
    else:
        forms.add(_en_stem(token))
    return tuple(sorted({_collapse(f) for f in forms}))


@lru_cache(maxsize=100_000)
def _is_known(token: str) -> bool:
    return _is_cyrillic(token) and bool(_analyzer().word_is_known(token))


@dataclass(frozen=True, slots=True)
class _Pattern:
    area: str | None
    weight: int
    words: tuple[int, ...]  # ids of (normalised text, is prefix) word patterns
    order: int  # position in the lexicon: earlier wins for an ambiguous single word


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[str, tuple[int, ...]]
    prefix: dict[str, tuple[int, ...]]
    fuzzy: dict[str, tuple[tuple[str, int], ...]]  # first letter -> (stem, word id), stems of 6+ letters
    max_prefix: int
    singles: dict[int, _Pattern]  # word id -> first single-word pattern made of it
    phrases: dict[int, tuple[_Pattern, ...]]  # first word id -> phrases starting with it


_indexed_for: areas.AreaSet | None = None  # the area set the index and word caches were built for


def _index() -> _Index:
    """The lexicon index of the current areas, rebuilt when :func:`storage.areas.configure` changed them."""
    global _indexed_for
    current = areas.current()
    if current is not _indexed_for:
        reset()
        _indexed_for = current
    return _build_index()


@lru_cache(maxsize=1)
def _build_index() -> _Index:
    active = set(areas.active())
    raw: list[tuple[str | None, int, str]] = []
    for area, words in areas.current().keywords().items():  # the install's seed keywords first
        raw += [(area, STRONG, p) for p in words]
    for area, by_lang in LEXICON.items():
        if area not in areas.DEFAULT_AREAS:
            raise ValueError(f"lexicon names unknown area {area!r}")
        if area not in active:
            continue  # a removed area: its words name nothing
        for groups in by_lang.values():
            raw += [(area, STRONG, p) for p in groups.get("strong", ())]
            raw += [(area, WEAK, p) for p in groups.get("weak", ())]
    raw += [(None, 0, p) for p in NEUTRAL]

    word_ids: dict[tuple[str, bool], int] = {}
    patterns: list[_Pattern] = []
    for order, (owner, weight, text) in enumerate(raw):
        ids = tuple(
            word_ids.setdefault((_collapse(w.rstrip("*")), w.endswith("*")), len(word_ids))
            for w in _clean(text).split()
        )
        patterns.append(_Pattern(owner, weight, ids, order))

    exact: defaultdict[str, tuple[int, ...]] = defaultdict(tuple)
    prefix: defaultdict[str, tuple[int, ...]] = defaultdict(tuple)
    fuzzy: defaultdict[str, tuple[tuple[str, int], ...]] = defaultdict(tuple)
    for (text, is_prefix), wid in word_ids.items():
        (prefix if is_prefix else exact)[text] += (wid,)
        if is_prefix and len(text) >= _FUZZY_MIN_STEM:
            fuzzy[text[0]] += ((text, wid),)
    singles: dict[int, _Pattern] = {}
    phrases: defaultdict[int, tuple[_Pattern, ...]] = defaultdict(tuple)
    for pattern in patterns:
        if len(pattern.words) == 1:
            singles.setdefault(pattern.words[0], pattern)
        else:
            phrases[pattern.words[0]] += (pattern,)
    longest = max(map(len, prefix), default=1)
    return _Index(dict(exact), dict(prefix), dict(fuzzy), longest, singles, dict(phrases))


def _edit1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :] or (a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def _fuzzy_prefix(stem: str, token: str) -> bool:
    """``token`` starts with ``stem`` give or take one typo (caller checks length and first letter)."""
    for cut in (len(stem), len(stem) + 1):
        head = token[:cut]
        if not _edit1(stem, head):
            continue
        # English has no dictionary check, so a plain one-letter substitution ("managed" vs
        # "manager") is too risky there; swaps and extra letters are the common typos.
        substitution = len(head) == len(stem) and sum(x != y for x, y in zip(stem, head, strict=True)) == 1
        if _is_cyrillic(token) or not substitution:
            return True
    return False


@lru_cache(maxsize=200_000)
def _token_words(token: str) -> frozenset[int]:
    """Ids of the lexicon words that ``token`` matches."""
    index = _index()
    ids: set[int] = set()
    for key in _keys(token):
        ids.update(index.exact.get(key, ()))
        for cut in range(1, min(len(key), index.max_prefix) + 1):
            ids.update(index.prefix.get(key[:cut], ()))
    flat = _collapse(token)
    if len(flat) >= _FUZZY_MIN_STEM and not _is_known(token):
        for stem, wid in index.fuzzy.get(flat[0], ()):
            if wid not in ids and len(flat) >= len(stem) and _fuzzy_prefix(stem, flat):
                ids.add(wid)
    return frozenset(ids)


@lru_cache(maxsize=200_000)
def _token_plan(token: str) -> tuple[tuple[_Pattern, ...], _Pattern | None]:
    """Phrases that may start at ``token`` (longest first) and the single-word pattern it matches."""
    index = _index()
    ids = _token_words(token)
    phrases = {p for wid in ids for p in index.phrases.get(wid, ())}
    singles = [index.singles[wid] for wid in ids if wid in index.singles]
    return (
        tuple(sorted(phrases, key=lambda p: (-len(p.words), p.order))),
        min(singles, key=lambda p: p.order, default=None),
    )


def _match_phrase(pattern: _Pattern, tokens: list[str], start: int) -> int:
    """End index (exclusive) of ``pattern`` whose first word matched ``tokens[start]``, or 0."""
    pos = start + 1
    for wid in pattern.words[1:]:
        for gap in range(_MAX_PHRASE_GAP + 1):
            if pos + gap < len(tokens) and wid in _token_words(tokens[pos + gap]):
                pos += gap + 1
                break
        else:
            return 0
    return pos


def _scores(text: str) -> dict[str, tuple[int, int]]:
    """area -> (score, first token position) for one comment."""
    _index()  # the per-word caches below belong to the current areas: rebuilt if they changed
    found: dict[str, tuple[int, int]] = {}

    def hit(pattern: _Pattern, pos: int) -> None:
        if pattern.area is not None:
            score, first = found.get(pattern.area, (0, pos))
            found[pattern.area] = (score + pattern.weight, min(first, pos))

    offset = 0
    for clause in _CLAUSE_RE.split(_clean(text)):
        tokens = _tokens(clause)
        i = 0
        while i < len(tokens):
            phrases, single = _token_plan(tokens[i])
            for pattern in phrases:
                end = _match_phrase(pattern, tokens, i)
                if end:
                    hit(pattern, offset + i)
                    i = end
                    break
            else:
                if single is not None:
                    hit(single, offset + i)
                i += 1
        offset += len(tokens)
    return found


def lexicon_areas(text: str) -> list[tuple[str, int]]:
    """(area, score) the lexicon finds in a comment, strongest first (score: 2 a strong keyword,
    1 a weak one); a second area needs at least one strong keyword."""
    scores = _scores(text[:MAX_CHARS])
    order = areas.active()
    ranked = sorted(scores, key=lambda area: (-scores[area][0], scores[area][1], order.index(area)))
    return [(a, scores[a][0]) for i, a in enumerate(ranked) if i == 0 or scores[a][0] >= _MIN_SECONDARY]


def reset() -> None:
    """Forget the index and per-word matches (after the areas change)."""
    for cached in (_build_index, _token_words, _token_plan):
        cached.cache_clear()


def lexicon_scores(text: str) -> dict[str, int]:
    """area -> keyword score of every area the lexicon finds (2 a strong keyword, 1 a weak one)."""
    return {area: score for area, (score, _) in _scores(text[:MAX_CHARS]).items()}

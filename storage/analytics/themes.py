"""Themes of free-text partner comments (Russian and English).

* :func:`classify` / :func:`primary_theme` map a comment to driver areas (``storage.areas.AREAS``)
  with the keyword lexicon in :mod:`storage.analytics.theme_lexicon`;
* :func:`top_phrases` counts the most frequent meaningful 1-3 word phrases across comments.

Russian words are lemmatised with pymorphy3 (one lazily created analyser, results cached per word),
English words get a light plural strip. Typos are tolerated cheaply: ``ё`` -> ``е``, repeated letters
collapsed ("комисия" == "комиссия"), Latin/Cyrillic look-alikes unified inside a word, and stems of
6+ letters match with one edit when the word is not a dictionary word ("поддеркжа", "payuots").
Everything is pure Python and deterministic.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from storage.analytics.theme_lexicon import EN_STOPWORDS, LEXICON, NEGATIONS, NEUTRAL, RU_STOPWORDS
from storage.areas import AREAS

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

__all__ = ["classify", "primary_theme", "top_phrases"]

OTHER = "other"
STRONG, WEAK = 2, 1
_MIN_SECONDARY = STRONG  # a second area needs at least one strong keyword
_FUZZY_MIN_STEM = 6
_MAX_PHRASE_GAP = 1

_TAG_RE = re.compile(r"<[^>]{0,200}>")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_CLAUSE_RE = re.compile(r"[.!?;:,()\[\]{}\"«»\n\r\t…]+|\s[-–—]\s")
_TOKEN_RE = re.compile(r"[a-zа-я0-9]+(?:'[a-z]+)?")
_REPEAT_RE = re.compile(r"(.)\1+")
_CYR_RE = re.compile(r"[а-я]")
_LAT_RE = re.compile(r"[a-z]")
_LAT_TO_CYR = str.maketrans("aceopxykmhtb", "асеорхукмнтв")
_CYR_TO_LAT = str.maketrans("асеорхукмнтв", "aceopxykmhtb")


_morph: MorphAnalyzer | None = None


def _analyzer() -> MorphAnalyzer:
    global _morph
    if _morph is None:
        from pymorphy3 import MorphAnalyzer

        _morph = MorphAnalyzer()
    return _morph


def _clean(text: str) -> str:
    text = html.unescape(_TAG_RE.sub(" ", text or ""))
    text = _URL_RE.sub(" ", text.lower()).replace("ё", "е")
    return text.replace("’", "'").replace("`", "'")


@lru_cache(maxsize=200_000)
def _fix_script(token: str) -> str:
    """Unify a word that mixes Latin and Cyrillic look-alike letters ("пoддержка" with a Latin o)."""
    cyr, lat = len(_CYR_RE.findall(token)), len(_LAT_RE.findall(token))
    if not (cyr and lat):
        return token
    return token.translate(_LAT_TO_CYR) if cyr >= lat else token.translate(_CYR_TO_LAT)


def _tokens(text: str) -> list[str]:
    return [_fix_script(t) for t in _TOKEN_RE.findall(text)]


def _collapse(word: str) -> str:
    return _REPEAT_RE.sub(r"\1", word)


def _is_cyrillic(word: str) -> bool:
    return _CYR_RE.search(word) is not None


@lru_cache(maxsize=200_000)
def _normal_forms(word: str) -> tuple[str, ...]:
    """Distinct pymorphy3 normal forms of a Russian word, most likely first (at most three)."""
    forms = [str(form).replace("ё", "е") for form in _analyzer().normal_forms(word)[:3]]
    return tuple(dict.fromkeys(forms)) or (word,)


def _en_stem(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "news")):
        return word[:-1]
    return word


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


@lru_cache(maxsize=1)
def _index() -> _Index:
    raw: list[tuple[str | None, int, str]] = []
    for area, by_lang in LEXICON.items():
        if area not in AREAS:
            raise ValueError(f"lexicon names unknown area {area!r}")
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
    return _Index(dict(exact), dict(prefix), dict(fuzzy), max(map(len, prefix)), singles, dict(phrases))


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


def classify(text: str) -> list[str]:
    """Areas a comment is about, strongest first; ``["other"]`` when nothing specific is said."""
    scores = _scores(text)
    if not scores:
        return [OTHER]
    ranked = sorted(scores, key=lambda area: (-scores[area][0], scores[area][1], AREAS.index(area)))
    return [ranked[0]] + [area for area in ranked[1:] if scores[area][0] >= _MIN_SECONDARY]


def primary_theme(text: str) -> str:
    """The strongest area of a comment (first of :func:`classify`)."""
    return classify(text)[0]


def _language(text: str) -> str:
    return "ru" if len(_CYR_RE.findall(text)) >= len(_LAT_RE.findall(text)) else "en"


@lru_cache(maxsize=200_000)
def _token_unit(raw: str) -> tuple[str, str | None, bool]:
    """(token, counting key or None for a stop-word/number, is a negation)."""
    token = _fix_script(raw)
    if token in NEGATIONS:
        return token, None, True
    if len(token) < 2 or token.isdigit():
        return token, None, False
    if token in RU_STOPWORDS or token in EN_STOPWORDS:
        return token, None, False
    if _is_cyrillic(token):
        lemma = _normal_forms(token)[0]
        return token, (None if lemma in RU_STOPWORDS else lemma), False
    stem = _en_stem(token)
    return token, (None if stem in EN_STOPWORDS else stem), False


def _scan(text: str, wanted: set[tuple[str, ...]] | None = None) -> dict[tuple[str, ...], str]:
    """Distinct 1-3 word phrases of one comment, as key words -> written form.

    Written forms are only built for ``wanted`` keys (``""`` for the rest, all keys are returned
    when ``wanted`` is None). Stop-words are skipped (one may sit inside a phrase and stays in the
    written form); a negation sticks to the next content word ("не работает", "doesn't fire").
    """
    found: dict[tuple[str, ...], str] = {}
    for clause in _CLAUSE_RE.split(_clean(text)):
        tokens: list[str] = []
        content: list[tuple[int, int, str]] = []  # (first token, last token, key)
        negation: int | None = None
        for pos, raw in enumerate(_TOKEN_RE.findall(clause)):
            token, key, is_negation = _token_unit(raw)
            tokens.append(token)
            if is_negation:
                negation = pos
            elif key is None:
                negation = None
            elif negation is not None:
                prefix = "не" if _is_cyrillic(tokens[negation]) else "not"
                content.append((negation, pos, f"{prefix} {key}"))
                negation = None
            else:
                content.append((pos, pos, key))
        for a, (first, last, key) in enumerate(content):
            words: tuple[str, ...] = (key,)
            while True:
                if wanted is None:
                    found[words] = ""
                elif words in wanted and words not in found:
                    found[words] = " ".join(tokens[first : last + 1])
                nxt = a + len(words)
                if len(words) == 3 or nxt >= len(content):
                    break
                nxt_first, nxt_last, nxt_key = content[nxt]
                if nxt_first - last > 2 or nxt_key in words:
                    break
                words += (nxt_key,)
                last = nxt_last
    return found


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    return any(big[i : i + len(small)] == small for i in range(len(big) - len(small) + 1))


def top_phrases(texts: Iterable[str], n: int = 10, lang: str | None = None) -> list[tuple[str, int]]:
    """Most frequent meaningful 1-3 word phrases: ``[(phrase, number of comments), ...]``.

    Russian forms are grouped by lemma and shown in their most frequent written form ("задержка
    выплат" covers "задержки выплат", "задержку выплат"). Stop-words are dropped, a negation stays
    with its word. Multi-word phrases need at least two comments, and a phrase is hidden when a
    longer phrase containing it is mentioned just as often. ``lang`` ("ru"/"en") keeps only the
    comments written mostly in that language.
    """
    counts: Counter[tuple[str, ...]] = Counter()
    scanned: list[tuple[str, dict[tuple[str, ...], str]]] = []
    for text in texts:
        if not text or (lang is not None and _language(text) != lang):
            continue
        found = _scan(text)
        counts.update(found.keys())
        scanned.append((text, found))

    candidates = {k: c for k, c in counts.items() if len(k) == 1 or c >= 2}
    longer: defaultdict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key in candidates:
        if len(key) > 1:
            for word in set(key):
                longer[word].append(key)

    kept: list[tuple[tuple[str, ...], int]] = []
    for key, count in sorted(candidates.items(), key=lambda kc: (-kc[1], -len(kc[0]), kc[0])):
        covering = (big for big in longer[key[0]] if len(big) > len(key) and candidates[big] >= count)
        if any(_contains(big, key) for big in covering):
            continue
        kept.append((key, count))
        if len(kept) >= n:
            break

    # Second pass, only over comments that mention a kept phrase: its most frequent written form.
    wanted = {key for key, _ in kept}
    written: Counter[tuple[tuple[str, ...], str]] = Counter()
    for text, found in scanned:
        if not wanted.isdisjoint(found):
            written.update(_scan(text, wanted).items())
    best: dict[tuple[str, ...], tuple[int, int, str]] = {}  # most frequent, then shortest form
    for (key, form), count in written.items():
        if key not in best or (-count, len(form), form) < best[key]:
            best[key] = (-count, len(form), form)
    return [(best[key][2], count) for key, count in kept]

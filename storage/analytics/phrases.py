"""Most frequent meaningful 1-3 word phrases of comments (for digests), Russian and English."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

from storage.analytics.comment_text import CLAUSE_RE as _CLAUSE_RE
from storage.analytics.comment_text import TOKEN_RE as _TOKEN_RE
from storage.analytics.comment_text import clean as _clean
from storage.analytics.comment_text import en_stem as _en_stem
from storage.analytics.comment_text import fix_script as _fix_script
from storage.analytics.comment_text import is_cyrillic as _is_cyrillic
from storage.analytics.comment_text import language as _language
from storage.analytics.comment_text import normal_forms as _normal_forms
from storage.analytics.stopwords import EN_STOPWORDS, NEGATIONS, RU_STOPWORDS

__all__ = ["MIN_COMMENTS", "top_phrases"]

MIN_COMMENTS = 2  # one comment's wording is a quote, not a frequent phrase


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
    with its word. Every phrase needs at least two comments, and a phrase is hidden when a
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

    # A phrase is "frequent" only when at least two comments use it (MIN_COMMENTS).
    candidates = {k: c for k, c in counts.items() if c >= MIN_COMMENTS}
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

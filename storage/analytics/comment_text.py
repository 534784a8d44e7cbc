"""Text normalisation shared by the theme lexicon, the theme model and the phrase counter.

Lower case, ``ё`` -> ``е``, HTML tags and URLs dropped, Latin/Cyrillic look-alike letters unified
inside a word; Russian words lemmatised with pymorphy3 (one lazily created analyser, results
cached per word), English words get a light plural strip.
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

TAG_RE = re.compile(r"<[^>]{0,200}>")
URL_RE = re.compile(r"(?:https?://|www\.)\S+")
CLAUSE_RE = re.compile(r"[.!?;:,()\[\]{}\"«»\n\r\t…]+|\s[-–—]\s")
TOKEN_RE = re.compile(r"[a-zа-я0-9]+(?:'[a-z]+)?")
_REPEAT_RE = re.compile(r"(.)\1+")
_CYR_RE = re.compile(r"[а-я]")
_LAT_RE = re.compile(r"[a-z]")
_LAT_TO_CYR = str.maketrans("aceopxykmhtb", "асеорхукмнтв")
_CYR_TO_LAT = str.maketrans("асеорхукмнтв", "aceopxykmhtb")
MAX_CHARS = 2000  # a comment longer than this says nothing new about its theme

_morph: MorphAnalyzer | None = None
_morph_lock = threading.Lock()


def analyzer() -> MorphAnalyzer:
    """The pymorphy3 analyser, created once (it takes a while and some memory)."""
    global _morph
    if _morph is None:
        with _morph_lock:
            if _morph is None:
                from pymorphy3 import MorphAnalyzer

                _morph = MorphAnalyzer()
    return _morph


def clean(text: str) -> str:
    """Lower-cased text without tags, entities and URLs."""
    text = html.unescape(TAG_RE.sub(" ", text or ""))
    text = URL_RE.sub(" ", text.lower()).replace("ё", "е")
    return text.replace("’", "'").replace("`", "'")


@lru_cache(maxsize=200_000)
def fix_script(token: str) -> str:
    """Unify a word that mixes Latin and Cyrillic look-alike letters ("пoддержка" with a Latin o)."""
    cyr, lat = len(_CYR_RE.findall(token)), len(_LAT_RE.findall(token))
    if not (cyr and lat):
        return token
    return token.translate(_LAT_TO_CYR) if cyr >= lat else token.translate(_CYR_TO_LAT)


def tokens(text: str) -> list[str]:
    """Word tokens of cleaned text, scripts unified."""
    return [fix_script(t) for t in TOKEN_RE.findall(text)]


def collapse(word: str) -> str:
    """Repeated letters collapsed ("комиссия" -> "комисия", "выплатыыы" -> "выплаты")."""
    return _REPEAT_RE.sub(r"\1", word)


def is_cyrillic(word: str) -> bool:
    """True when the word has a Cyrillic letter."""
    return _CYR_RE.search(word) is not None


def language(text: str) -> str:
    """``ru`` when Cyrillic letters are at least as many as Latin ones, else ``en``."""
    return "ru" if len(_CYR_RE.findall(text)) >= len(_LAT_RE.findall(text)) else "en"


@lru_cache(maxsize=200_000)
def normal_forms(word: str) -> tuple[str, ...]:
    """Distinct pymorphy3 normal forms of a Russian word, most likely first (at most three)."""
    forms = [str(form).replace("ё", "е") for form in analyzer().normal_forms(word)[:3]]
    return tuple(dict.fromkeys(forms)) or (word,)


def en_stem(word: str) -> str:
    """English singular, roughly ("payouts" -> "payout", "replies" -> "reply")."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "news")):
        return word[:-1]
    return word


@lru_cache(maxsize=200_000)
def lemma(token: str) -> str:
    """The most likely lemma of a token (Russian) or its singular (English), letters collapsed."""
    return collapse(normal_forms(token)[0] if is_cyrillic(token) else en_stem(token))


def model_inputs(text: str) -> tuple[str, str]:
    """What the theme model reads: (tokens with letters collapsed, their lemmas)."""
    words = tokens(clean(text[:MAX_CHARS]))
    return " ".join(collapse(w) for w in words), " ".join(lemma(w) for w in words)

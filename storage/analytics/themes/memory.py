"""What managers taught this install: comments tagged by a person in ``/themes``.

Two things are learned from the tags, both at once (no retraining):

* nearest neighbours: a new comment close to a tagged one (cosine of the theme model's feature
  vectors) gets the tagged areas, as strongly as it is close;
* new words: a word (lemma) met in at least :data:`MIN_WORD_TAGS` tagged comments, every one of
  them tagged with the same area, and rare in the training corpus, becomes a keyword of that area
  ("флуз" after a few comments about a tracker called Flooz).

Retraining the linear model was the alternative: it would need seconds per tag in every process
and a handful of tags barely moves it against the corpus; neighbours and learned words act on
the next comment, change only comments like the tagged ones (so the held-out figures of the base
model still describe the rest), and are undone by untagging.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.analytics import comment_text
from storage.analytics.stopwords import EN_STOPWORDS, NEGATIONS, RU_STOPWORDS
from storage.analytics.themes.model import ThemeModel

if TYPE_CHECKING:
    from scipy.sparse import csc_matrix

MIN_WORD_TAGS = 2
NEIGHBOUR_MIN = 0.55  # cosine below this is "not like any tagged comment"
WORD_SCORE = 0.9
_MAX_CORPUS_SHARE = 0.01  # a word in more training comments than this is not new slang
_MIN_WORD_LEN = 3


@dataclass(frozen=True, slots=True)
class _Tagged:
    vector: dict[int, float]
    areas: tuple[str, ...]


def _words(text: str) -> set[str]:
    cleaned = comment_text.clean(text[: comment_text.MAX_CHARS])
    lemmas = {comment_text.lemma(t) for t in comment_text.tokens(cleaned)}
    return {
        w
        for w in lemmas
        if len(w) >= _MIN_WORD_LEN
        and not w.isdigit()
        and w not in RU_STOPWORDS
        and w not in EN_STOPWORDS
        and w not in NEGATIONS
    }


@dataclass(frozen=True, slots=True)
class _State:
    """What classifying reads: learned words, tagged vectors (one row each) and their areas."""

    learned: dict[str, str]
    matrix: csc_matrix | None
    areas: tuple[tuple[str, ...], ...]


class TagMemory:
    """Tagged comments of this install and the words learned from them (thread-safe)."""

    def __init__(self, model: ThemeModel, corpus: Sequence[str]) -> None:
        self._model = model
        counts: Counter[str] = Counter()
        for text in corpus:
            counts.update(_words(text))
        limit = max(2, int(len(corpus) * _MAX_CORPUS_SHARE))
        self._common = frozenset(w for w, n in counts.items() if n > limit)
        self._features = int(model.coef.shape[0])
        self._lock = threading.Lock()
        self._tagged: dict[int, _Tagged] = {}
        self._word_areas: dict[int, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._state = _State({}, None, ())

    @property
    def model(self) -> ThemeModel:
        """The model whose feature space the tagged comments are stored in."""
        return self._model

    def __len__(self) -> int:
        return len(self._tagged)

    def replace(self, tags: Iterable[tuple[int, str, Sequence[str]]]) -> None:
        """Forget everything and learn ``(response id, text, areas)`` (start-up, reloads).

        New tables are built aside and swapped in, so a comment classified meanwhile in another
        thread sees either the old tags or the new ones."""
        tagged: dict[int, _Tagged] = {}
        words: dict[int, tuple[frozenset[str], tuple[str, ...]]] = {}
        for rid, text, areas in tags:
            tagged[rid], words[rid] = self._entry(text, areas)
        with self._lock:
            self._swap(tagged, words)

    def tag(self, response_id: int, text: str, areas: Sequence[str]) -> None:
        """Learn one tagged comment (empty ``areas``: forget it)."""
        with self._lock:
            tagged, words = dict(self._tagged), dict(self._word_areas)
            tagged.pop(response_id, None)
            words.pop(response_id, None)
            if areas:
                tagged[response_id], words[response_id] = self._entry(text, areas)
            self._swap(tagged, words)

    def learned_words(self) -> dict[str, str]:
        """word -> area learned from the tags."""
        return dict(self._state.learned)

    def scores(self, text: str, vector: tuple[list[int], list[float]] | None = None) -> dict[str, float]:
        """area -> how strongly the tags say the comment is about it (0..1)."""
        state = self._state  # read once: a new state is swapped in whole, never changed
        if state.matrix is None:
            return {}
        found: dict[str, float] = {}
        for word in _words(text):
            area = state.learned.get(word)
            if area is not None:
                found[area] = max(found.get(area, 0.0), WORD_SCORE)
        cols, weights = vector if vector is not None else self._model.vector(text)
        if cols:
            import numpy as np  # off the start-up path (storage/analytics/themes/model.py)

            # columns of the tagged comments' matrix (stored by column) times the query's weights:
            # the cosine with every tagged comment, touching only the features this comment has
            sims = (state.matrix[:, cols] @ np.asarray(weights)) / 2**0.5  # stored ones are unit already
            for row in np.flatnonzero(sims >= NEIGHBOUR_MIN):
                for area in state.areas[row]:
                    found[area] = max(found.get(area, 0.0), float(sims[row]))
        return found

    def _vector(self, text: str) -> dict[int, float]:
        cols, weights = self._model.vector(text)
        # two unit-length blocks: halve so that the cosine of a comment with itself is 1
        return {c: w / 2**0.5 for c, w in zip(cols, weights, strict=True)}

    def _entry(
        self, text: str, areas: Sequence[str]
    ) -> tuple[_Tagged, tuple[frozenset[str], tuple[str, ...]]]:
        keys = tuple(a for a in areas if a != "other")
        return _Tagged(self._vector(text), keys or ("other",)), (frozenset(_words(text) - self._common), keys)

    def _swap(
        self, tagged: dict[int, _Tagged], words: dict[int, tuple[frozenset[str], tuple[str, ...]]]
    ) -> None:
        self._tagged, self._word_areas = tagged, words
        if tagged:
            from scipy.sparse import csc_matrix  # off the start-up path

            rows = list(tagged.values())
            data = [w for t in rows for w in t.vector.values()]
            cols = [c for t in rows for c in t.vector]
            index = [i for i, t in enumerate(rows) for _ in t.vector]
            matrix = csc_matrix((data, (index, cols)), shape=(len(rows), self._features))
            self._state = _State(self._learn(words), matrix, tuple(t.areas for t in rows))
        else:
            self._state = _State({}, None, ())

    @staticmethod
    def _learn(entries: dict[int, tuple[frozenset[str], tuple[str, ...]]]) -> dict[str, str]:
        seen: Counter[str] = Counter()
        with_area: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for words, keys in entries.values():
            for word in words:
                seen[word] += 1
                with_area[word].update(keys)
        learned: dict[str, str] = {}
        for word, n in seen.items():
            if n < MIN_WORD_TAGS or not with_area[word]:
                continue
            area, k = with_area[word].most_common(1)[0]
            if k == n:  # every tagged comment with the word has the area
                learned[word] = area
        return learned

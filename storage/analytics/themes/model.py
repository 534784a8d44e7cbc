"""The statistical half of the theme classifier: character n-grams and a linear model.

Trained from the labelled corpus in the repository (:mod:`storage.analytics.themes.corpus`) the
first time it is needed (about a second), then kept in memory: nothing is downloaded and no
trained file is committed, so the model always matches the data it was built from.

Features: TF-IDF of character n-grams (2-5, inside word boundaries) of the normalised text, which
carry typos, prefixed verbs and unseen word forms ("креосы", "выплты", "переделайте"), plus
TF-IDF of word lemmas and lemma pairs. One logistic regression per area (one-vs-rest, so a comment
can have several areas; "other" is the absence of all). Prediction does not go through
scikit-learn's per-call checks: the feature weights are looked up in plain dictionaries and
multiplied with the coefficient matrix, about 0.2 ms per comment.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from storage import areas
from storage.analytics import comment_text
from storage.analytics.themes.corpus import Example, training_examples

# The default areas the corpus is labelled with ("other" is the absence of all): storage/areas.py.
MODEL_AREAS: tuple[str, ...] = tuple(a for a in areas.DEFAULT_AREAS if a != areas.OTHER)
_C = 10.0  # inverse regularisation, chosen by 5-fold cross-validation on the training corpus


@dataclass(frozen=True, slots=True)
class _Block:
    """One TF-IDF vectoriser, reduced to what prediction needs."""

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int  # first column of this block in the stacked feature space

    def features(self, text: str) -> tuple[list[int], list[float]]:
        counts = Counter(f for f in self.analyzer(text) if f in self.vocabulary)
        cols = [self.vocabulary[f] for f in counts]
        weights = [(1.0 + math.log(n)) * self.idf[c] for c, n in zip(cols, counts.values(), strict=True)]
        norm = math.sqrt(sum(w * w for w in weights)) or 1.0
        return [self.offset + c for c in cols], [w / norm for w in weights]


@dataclass(frozen=True, slots=True)
class ThemeModel:
    """Per-area probabilities for a comment."""

    areas: tuple[str, ...]
    blocks: tuple[_Block, ...]
    coef: np.ndarray  # (features, areas)
    intercept: np.ndarray  # (areas,)

    def vector(self, text: str) -> tuple[list[int], list[float]]:
        """Sparse feature vector of a comment (columns, weights); each block has unit length."""
        cols: list[int] = []
        weights: list[float] = []
        char_text, word_text = comment_text.model_inputs(text)
        for block, part in zip(self.blocks, (char_text, word_text), strict=True):
            c, w = block.features(part)
            cols += c
            weights += w
        return cols, weights

    def probabilities(
        self, text: str, vector: tuple[list[int], list[float]] | None = None
    ) -> dict[str, float]:
        """area -> probability that the comment is about it (independent per area); ``vector``
        is :meth:`vector` of the text when the caller has it already."""
        cols, weights = vector if vector is not None else self.vector(text)
        z = self.intercept.copy()
        if cols:
            z += np.asarray(weights) @ self.coef[cols]
        p = 1.0 / (1.0 + np.exp(-z))
        return {area: float(v) for area, v in zip(self.areas, p, strict=True)}


def train(examples: Sequence[Example]) -> ThemeModel:
    """Fit the model (deterministic: liblinear with a fixed order of examples)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    inputs = [comment_text.model_inputs(e.text) for e in examples]
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=False)
    word = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=False, token_pattern=r"\S+"
    )
    x_char = char.fit_transform([c for c, _ in inputs])
    x_word = word.fit_transform([w for _, w in inputs])
    x = hstack([x_char, x_word]).tocsr()
    coef = np.zeros((x.shape[1], len(MODEL_AREAS)))
    intercept = np.zeros(len(MODEL_AREAS))
    for k, area in enumerate(MODEL_AREAS):
        y = np.array([area in e.labels for e in examples], dtype=int)
        fitted = LogisticRegression(C=_C, class_weight="balanced", solver="liblinear", max_iter=2000)
        fitted.fit(x, y)
        coef[:, k] = fitted.coef_[0]
        intercept[k] = fitted.intercept_[0]
    blocks = (
        _Block(char.build_analyzer(), dict(char.vocabulary_), char.idf_, 0),
        _Block(word.build_analyzer(), dict(word.vocabulary_), word.idf_, x_char.shape[1]),
    )
    return ThemeModel(MODEL_AREAS, blocks, coef, intercept)


_lock = threading.Lock()
_model: ThemeModel | None = None


def is_built() -> bool:
    """True once :func:`default_model` has been built in this process."""
    return _model is not None


def default_model() -> ThemeModel:
    """The model trained on the repository's corpus, built once per process (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = train(training_examples())
    return _model

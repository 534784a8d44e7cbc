"""The statistical half of the theme classifier: character n-grams and a linear model.

Trained from the labelled corpus in the repository (:mod:`storage.analytics.themes.corpus`) the
first time it is needed (seconds of CPU, scikit-learn's import included), then kept in memory:
nothing is downloaded and no trained file is committed, so the model always matches the data it
was built from. A running install trains it once per corpus version: the trained model is saved
in the database under :func:`corpus_key` (storage/repo/model_cache.py) and every later start,
in every process, loads it instead (bot/theme_setup.py).

Features: TF-IDF of character n-grams (2-5, inside word boundaries) of the normalised text, which
carry typos, prefixed verbs and unseen word forms ("креосы", "выплты", "переделайте"), plus
TF-IDF of word lemmas and lemma pairs. One logistic regression per area (one-vs-rest, so a comment
can have several areas; "other" is the absence of all). Prediction does not go through
scikit-learn's per-call checks: the feature weights are looked up in plain dictionaries and
multiplied with the coefficient matrix, about 0.2 ms per comment.

numpy is imported inside the functions that use it: the classifier is set up after polling
starts, and numpy was ~0.1-0.15 s of every process's start (python -X importtime).
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage import areas
from storage.analytics import comment_text
from storage.analytics.themes.corpus import DATA_DIR, TRAIN_FILES, Example, training_examples

if TYPE_CHECKING:
    import numpy as np

# The default areas the corpus is labelled with ("other" is the absence of all): storage/areas.py.
MODEL_AREAS: tuple[str, ...] = tuple(a for a in areas.DEFAULT_AREAS if a != areas.OTHER)
_C = 10.0  # inverse regularisation, chosen by 5-fold cross-validation on the training corpus
CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
# Bumped when the saved form or the features change: a saved model of another format is retrained.
FORMAT = "theme-model-1"


def char_ngrams(text: str) -> list[str]:
    """Character n-grams inside word boundaries, as scikit-learn's ``char_wb`` analyzer makes
    them (same order, same padding); our own so that a saved model needs no scikit-learn."""
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < size:
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # a short word is counted once
                break
    return grams


def word_ngrams(text: str) -> list[str]:
    """Tokens (runs of non-space) and pairs of neighbours, as scikit-learn's ``word`` analyzer
    with ``token_pattern=r"\\S+"`` and ``ngram_range=(1, 2)`` makes them."""
    tokens = text.split()
    grams = list(tokens)
    low, high = WORD_NGRAMS
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


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
        import numpy as np

        cols, weights = vector if vector is not None else self.vector(text)
        z = self.intercept.copy()
        if cols:
            z += np.asarray(weights) @ self.coef[cols]
        p = 1.0 / (1.0 + np.exp(-z))
        return {area: float(v) for area, v in zip(self.areas, p, strict=True)}


def train(examples: Sequence[Example]) -> ThemeModel:
    """Fit the model (deterministic: liblinear with a fixed order of examples)."""
    import numpy as np
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
        _Block(char_ngrams, dict(char.vocabulary_), char.idf_, 0),
        _Block(word_ngrams, dict(word.vocabulary_), word.idf_, x_char.shape[1]),
    )
    return ThemeModel(MODEL_AREAS, blocks, coef, intercept)


def corpus_key() -> str:
    """What a trained model depends on: the corpus files, the areas, the settings, the format."""
    digest = hashlib.sha256(f"{FORMAT}|{MODEL_AREAS}|{_C}|{CHAR_NGRAMS}|{WORD_NGRAMS}".encode())
    for name in TRAIN_FILES:
        digest.update(name.encode())
        digest.update((DATA_DIR / name).read_bytes())
    return digest.hexdigest()


def _terms(vocabulary: dict[str, int]) -> np.ndarray:
    import numpy as np

    terms = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    return np.array(terms, dtype=np.str_)


def to_bytes(model: ThemeModel) -> bytes:
    """The trained model as an ``.npz`` (arrays only: loading it runs no code, unlike a pickle)."""
    import numpy as np

    char, word = model.blocks
    out = io.BytesIO()
    np.savez_compressed(
        out,
        areas=np.array(model.areas, dtype=np.str_),
        char_terms=_terms(char.vocabulary),
        char_idf=char.idf,
        word_terms=_terms(word.vocabulary),
        word_idf=word.idf,
        coef=model.coef,
        intercept=model.intercept,
    )
    return out.getvalue()


def from_bytes(data: bytes) -> ThemeModel:
    """A model saved by :func:`to_bytes` (ValueError when it is not one)."""
    import numpy as np

    with np.load(io.BytesIO(data), allow_pickle=False) as saved:
        char_terms = [str(t) for t in saved["char_terms"]]
        word_terms = [str(t) for t in saved["word_terms"]]
        blocks = (
            _Block(char_ngrams, {t: i for i, t in enumerate(char_terms)}, saved["char_idf"], 0),
            _Block(word_ngrams, {t: i for i, t in enumerate(word_terms)}, saved["word_idf"], len(char_terms)),
        )
        model = ThemeModel(tuple(str(a) for a in saved["areas"]), blocks, saved["coef"], saved["intercept"])
    if model.coef.shape != (len(char_terms) + len(word_terms), len(model.areas)):
        raise ValueError("saved theme model is inconsistent")
    return model


_lock = threading.Lock()
_model: ThemeModel | None = None


def is_built() -> bool:
    """True once :func:`default_model` has been built in this process."""
    return _model is not None


def install(model: ThemeModel) -> None:
    """Use ``model`` (loaded from the saved copy) as the default model of this process."""
    global _model
    with _lock:
        _model = model


def default_model() -> ThemeModel:
    """The model trained on the repository's corpus, built once per process (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = train(training_examples())
    return _model

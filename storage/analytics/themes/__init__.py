"""Themes of free-text partner comments (Russian and English), with a confidence.

Three signals are combined per area:

* the theme model (:mod:`storage.analytics.themes.model`): character n-grams and a linear model
  trained on the labelled corpus in the repository, for slang, typos and unseen word forms;
* the keyword lexicon (:mod:`storage.analytics.themes.rules`) with the install's seed keywords,
  the only signal for areas an install added (the model knows the default areas only);
* what managers taught (:mod:`storage.analytics.themes.memory`): tagged comments and learned words.

``score = W_MODEL * model + (1 - W_MODEL) * lexicon`` (the lexicon as 1 for a strong keyword,
0.5 for a weak one), raised to what the tags say. The strongest area at or above
:data:`THRESHOLD` is the main one; others need :data:`SECOND`. Weights and thresholds were chosen
by 5-fold cross-validation on the training corpus, never on the held-out split.

:func:`classify` keeps the old contract for scripts: areas strongest first, ``["other"]`` when
none. Classifying takes well under a millisecond once the model is built (about a second, once
per process: :func:`warm_up` at start-up). Comments are classified once, when they arrive
(:mod:`storage.repo.themes`), never in a digest's path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from storage import areas
from storage.analytics.phrases import top_phrases
from storage.analytics.themes import rules as theme_rules
from storage.analytics.themes.corpus import training_examples
from storage.analytics.themes.memory import TagMemory
from storage.analytics.themes.model import ThemeModel, default_model, is_built

__all__ = [
    "Classification",
    "analyse",
    "classify",
    "memory",
    "primary_theme",
    "ready",
    "reset",
    "top_phrases",
    "warm_up",
]

OTHER = areas.OTHER
W_MODEL = 0.6
THRESHOLD = 0.25
SECOND = 0.6
CONFIDENT = 0.5  # below this a comment is "unclassified" in digests until a person tags it


@dataclass(frozen=True, slots=True)
class Classification:
    """Areas of a comment, strongest first (``("other",)`` when none), and how sure we are (0..1)."""

    areas: tuple[str, ...]
    confidence: float

    @property
    def confident(self) -> bool:
        """Sure enough to count in a digest without a person's tag."""
        return self.confidence >= CONFIDENT


_lock = threading.Lock()
_memory: TagMemory | None = None


def memory() -> TagMemory:
    """This process's memory of tagged comments (empty until loaded or taught)."""
    global _memory
    if _memory is None:
        with _lock:
            if _memory is None:
                _memory = TagMemory(default_model(), [e.text for e in training_examples()])
    return _memory


def ready() -> bool:
    """True once the model is built: classifying no longer waits for the training."""
    return is_built()


def warm_up() -> None:
    """Build the model and the lexicon now (start-up, in a thread) rather than on the first comment."""
    analyse("выплаты задерживают, support is slow")


def reset() -> None:
    """The areas changed: rebuild the lexicon index (tags stay)."""
    theme_rules.reset()


def scores(text: str, model: ThemeModel | None = None) -> dict[str, float]:
    """area -> combined score (0..1) for every active area except ``other``."""
    model = model or default_model()
    keys = [a for a in areas.active() if a != OTHER]
    vector = model.vector(text)
    probabilities = model.probabilities(text, vector)
    lexicon = theme_rules.lexicon_scores(text)
    found: dict[str, float] = {}
    for area in keys:
        lex = min(1.0, lexicon.get(area, 0) / 2)
        found[area] = W_MODEL * probabilities[area] + (1 - W_MODEL) * lex if area in probabilities else lex
    mem = _memory
    taught = mem.scores(text, vector) if mem is not None and len(mem) and mem.model is model else {}
    for area, value in taught.items():
        if area in found:
            found[area] = max(found[area], value)
    return found


def analyse(text: str) -> Classification:
    """Areas of a comment with a confidence."""
    if not text or not text.strip():
        return Classification((OTHER,), 1.0)
    found = scores(text)
    order = areas.active()
    ranked = sorted(found, key=lambda a: (-found[a], order.index(a)))
    if not ranked or found[ranked[0]] < THRESHOLD:
        best = found[ranked[0]] if ranked else 0.0
        return Classification((OTHER,), round(1.0 - best / THRESHOLD / 2, 3))
    chosen = [ranked[0]] + [a for a in ranked[1:] if found[a] >= SECOND]
    return Classification(tuple(chosen), round(min(1.0, found[ranked[0]]), 3))


def classify(text: str) -> list[str]:
    """Areas a comment is about, strongest first; ``["other"]`` when nothing specific is said."""
    return list(analyse(text).areas)


def primary_theme(text: str) -> str:
    """The strongest area of a comment (first of :func:`classify`)."""
    return classify(text)[0]

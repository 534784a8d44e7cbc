"""Accuracy and speed of the comment theme classifier.

Run: ``python -m tests.benchmarks.themes_accuracy [-v]`` (``-v`` also lists the misclassified comments).

Sets:
* own corpus (``storage/analytics/themes/data/themes_train_*.txt``), 5-fold cross-validated: each fold is
  classified by a model trained on the other four (accuracy on the training data itself says
  nothing about new comments);
* the held-out split (``tests/data/themes_holdout.txt``): other personas and wording, slang-heavy,
  never trained or tuned on;
* the older everyday sets (``tests/data/labelled_comments*.csv``), also not trained on.
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storage.analytics import themes
from storage.analytics.themes import model as theme_model
from storage.analytics.themes.corpus import Example, read, training_examples
from storage.areas import DEFAULT_AREAS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LABELLED = DATA_DIR / "labelled_comments.csv"
HOLDOUT = DATA_DIR / "labelled_comments_holdout.csv"
SLANG_HOLDOUT = DATA_DIR / "themes_holdout.txt"
FOLDS = 5

Classifier = Callable[[str], list[str]]


@dataclass
class Report:
    total: int = 0
    primary_correct: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DEFAULT_AREAS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DEFAULT_AREAS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DEFAULT_AREAS, 0))
    misses: list[tuple[Example, list[str]]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.primary_correct / self.total if self.total else 0.0

    @property
    def micro_f1(self) -> float:
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def precision(self, area: str) -> float:
        found = self.tp[area] + self.fp[area]
        return self.tp[area] / found if found else 0.0

    def recall(self, area: str) -> float:
        actual = self.tp[area] + self.fn[area]
        return self.tp[area] / actual if actual else 0.0

    def f1(self, area: str) -> float:
        p, r = self.precision(area), self.recall(area)
        return 2 * p * r / (p + r) if p + r else 0.0


def load(path: Path) -> list[Example]:
    """A labelled set: the corpus format (``.txt``) or the older CSV (text, language, labels)."""
    if path.suffix == ".txt":
        return read(path)
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Example(row["text"], row["language"], tuple(row["labels"].split(";")))
            for row in csv.DictReader(fh)
        ]


def evaluate(examples: Sequence[Example], predict: Classifier = themes.classify) -> Report:
    report = Report()
    for example, predicted in zip(examples, map(predict, (e.text for e in examples)), strict=True):
        add(report, example, predicted)
    return report


def add(report: Report, example: Example, predicted: list[str]) -> None:
    labels = example.label_set
    report.total += 1
    if predicted[0] in labels:
        report.primary_correct += 1
    for area in set(predicted) | labels:
        if area in predicted and area in labels:
            report.tp[area] += 1
        elif area in predicted:
            report.fp[area] += 1
        else:
            report.fn[area] += 1
    if predicted[0] not in labels or set(predicted) != labels:
        report.misses.append((example, predicted))


def cross_validated(examples: Sequence[Example]) -> list[list[str]]:
    """Predictions for every example by a model that did not see it (folds by position)."""
    predicted: list[list[str]] = [[] for _ in examples]
    for fold in range(FOLDS):
        train = [e for i, e in enumerate(examples) if i % FOLDS != fold]
        model = theme_model.train(train)
        for i, example in enumerate(examples):
            if i % FOLDS == fold:
                found = themes.scores(example.text, model)
                ranked = sorted(found, key=lambda a: -found[a])
                if not ranked or found[ranked[0]] < themes.THRESHOLD:
                    predicted[i] = ["other"]
                else:
                    predicted[i] = [ranked[0]] + [a for a in ranked[1:] if found[a] >= themes.SECOND]
    return predicted


def print_report(name: str, report: Report, verbose: bool, by_language: dict[str, Report]) -> None:
    print(f"== {name}: {report.total} comments")
    print(
        f"primary-area accuracy: {report.accuracy:.3f}   micro-F1: {report.micro_f1:.3f}   "
        f"'other' precision: {report.precision('other'):.3f}"
    )
    for lang, part in by_language.items():
        print(
            f"  {lang}: {part.total:>4} comments, accuracy {part.accuracy:.3f}, micro-F1 {part.micro_f1:.3f}"
        )
    print(f"{'area':<15}{'precision':>10}{'recall':>10}{'F1':>8}{'support':>9}")
    for area in DEFAULT_AREAS:
        support = report.tp[area] + report.fn[area]
        print(
            f"{area:<15}{report.precision(area):>10.2f}{report.recall(area):>10.2f}"
            f"{report.f1(area):>8.2f}{support:>9}"
        )
    if verbose:
        for example, predicted in report.misses:
            print(f"  [{';'.join(example.labels)}] -> {predicted}: {example.text}")
    print()


def _split(examples: Sequence[Example], predicted: Sequence[list[str]]) -> tuple[Report, dict[str, Report]]:
    whole, parts = Report(), {"ru": Report(), "en": Report()}
    for example, found in zip(examples, predicted, strict=True):
        add(whole, example, found)
        add(parts[example.language], example, found)
    return whole, parts


def timing(texts: Sequence[str], rounds: int = 5) -> float:
    """Milliseconds per comment of :func:`themes.analyse` (model already built, caches warm)."""
    for text in texts:
        themes.analyse(text)
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            themes.analyse(text)
    return (time.perf_counter() - started) * 1000 / (rounds * len(texts))


def main(argv: list[str] | None = None) -> int:
    verbose = "-v" in (argv if argv is not None else sys.argv[1:])
    corpus = training_examples()
    started = time.perf_counter()
    themes.warm_up()
    print(f"model built in {time.perf_counter() - started:.2f}s from {len(corpus)} comments\n")
    whole, parts = _split(corpus, cross_validated(corpus))
    print_report(f"own corpus, {FOLDS}-fold cross-validated", whole, verbose, parts)
    sets = (
        ("held-out split (slang-heavy)", SLANG_HOLDOUT),
        ("everyday", LABELLED),
        ("everyday holdout", HOLDOUT),
    )
    for name, path in sets:
        examples = load(path)
        whole, parts = _split(examples, [themes.classify(e.text) for e in examples])
        print_report(name, whole, verbose, parts)
    texts = [e.text for e in load(SLANG_HOLDOUT)] + [e.text for e in corpus]
    print(f"time per comment: {timing(texts):.3f} ms (analyse, {len(texts)} comments x 5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

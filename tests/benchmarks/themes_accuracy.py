"""Accuracy of the comment theme classifier on the hand-labelled sets.

Run: ``python -m tests.benchmarks.themes_accuracy [-v]`` (``-v`` also lists the misclassified comments).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from storage.analytics.themes import classify
from storage.areas import AREAS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LABELLED = DATA_DIR / "labelled_comments.csv"
HOLDOUT = DATA_DIR / "labelled_comments_holdout.csv"


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    labels: frozenset[str]


@dataclass
class Report:
    total: int = 0
    primary_correct: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AREAS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AREAS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AREAS, 0))
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


def load(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Example(row["text"], row["language"], frozenset(row["labels"].split(";")))
            for row in csv.DictReader(fh)
        ]


def evaluate(examples: list[Example]) -> Report:
    report = Report()
    for example in examples:
        predicted = classify(example.text)
        report.total += 1
        if predicted[0] in example.labels:
            report.primary_correct += 1
        for area in set(predicted) | example.labels:
            if area in predicted and area in example.labels:
                report.tp[area] += 1
            elif area in predicted:
                report.fp[area] += 1
            else:
                report.fn[area] += 1
        if predicted[0] not in example.labels or set(predicted) != example.labels:
            report.misses.append((example, predicted))
    return report


def print_report(name: str, report: Report, verbose: bool) -> None:
    print(f"== {name}: {report.total} comments")
    print(f"primary-label accuracy: {report.accuracy:.3f}")
    print(f"micro-F1 over areas:    {report.micro_f1:.3f}")
    print(f"{'area':<15}{'precision':>10}{'recall':>10}{'support':>10}")
    for area in AREAS:
        support = report.tp[area] + report.fn[area]
        print(f"{area:<15}{report.precision(area):>10.2f}{report.recall(area):>10.2f}{support:>10}")
    if verbose:
        for example, predicted in report.misses:
            print(f"  [{';'.join(sorted(example.labels))}] -> {predicted}: {example.text}")
    print()


def main(argv: list[str] | None = None) -> int:
    verbose = "-v" in (argv if argv is not None else sys.argv[1:])
    for name, path in (("labelled", LABELLED), ("holdout", HOLDOUT)):
        if path.exists():
            print_report(name, evaluate(load(path)), verbose)
        else:
            print(f"== {name}: {path} not found\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

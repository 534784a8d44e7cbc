"""The survey as data: its steps in order, what each asks whom, and where each answer goes.

The handlers (bot/handlers/survey.py, bot/handlers/survey_followup.py) are generic over these
steps: after a step is stored, the partner's next step is the next one in :data:`SURVEY` that
asks their category. The FSM states come from here too (``Survey:<step name>``), and a
response's ``stage`` column holds the name of the step it is waiting for (``done`` at the end).

Categories (storage.models.response.category_of): promoter 9-10, passive 7-8, detractor 0-6.
Each has its own follow-up, as the README promises: promoters are asked what they value,
passives what would make them recommend us, detractors what we should fix first.

Adding a question takes one step here, its locale key in ``bot/locales/*/``, and a migration
adding the column it writes to (see docs/internals.md, "The survey").
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.state import State, StatesGroup

from storage.models.response import DETRACTOR, PASSIVE, PROMOTER, STAGE_DONE

CATEGORIES = (PROMOTER, PASSIVE, DETRACTOR)

# What a step asks for, and so which handlers answer it.
SCORE = "score"  # the 0-10 keyboard (or a typed number); always the first step
OPEN_TEXT = "open_text"  # free text with a Skip button, stored in a text column of responses
AREAS = "areas"  # the areas keyboard (storage.areas), stored in response_drivers
KINDS = (SCORE, OPEN_TEXT, AREAS)

STAGE_LENGTH = 16  # responses.stage is String(16) and holds a step's name

SCORE_QUESTION = "q-score"
DRIVERS_QUESTION = "q-drivers"


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the survey.

    ``question`` maps each category that is asked this step to the locale key of its wording;
    a category it does not name skips the step. ``column`` is the column of ``responses`` an
    open answer is stored in; ``classified`` marks the answer whose themes reports read
    (storage/repo/themes.py)."""

    name: str
    kind: str
    question: Mapping[str, str]
    column: str | None = None
    classified: bool = False

    def asks(self, category: str) -> bool:
        """Whether a partner of ``category`` is asked this step."""
        return category in self.question

    def key(self, category: str) -> str:
        """The locale key of this step's wording for ``category``."""
        return self.question[category]


def _wording(question: str | Mapping[str, str], categories: Iterable[str]) -> Mapping[str, str]:
    if isinstance(question, str):
        return types.MappingProxyType({c: question for c in categories})
    return types.MappingProxyType(dict(question))


def score_step(name: str = "score", question: str = SCORE_QUESTION) -> Step:
    """The 0-10 question every partner is asked first (stored in ``responses.score``)."""
    return Step(name, SCORE, _wording(question, CATEGORIES), column="score")


def open_step(
    name: str,
    question: str | Mapping[str, str],
    *,
    column: str,
    categories: Iterable[str] = CATEGORIES,
    classified: bool = False,
) -> Step:
    """A free-text question with a Skip button: one locale key for every category in
    ``categories``, or a key per category; the answer goes to ``responses.<column>``."""
    return Step(name, OPEN_TEXT, _wording(question, categories), column=column, classified=classified)


def areas_step(name: str = "drivers", question: str = DRIVERS_QUESTION) -> Step:
    """The areas that drove the score (one tap each, then Done)."""
    return Step(name, AREAS, _wording(question, CATEGORIES))


class SurveyDefinition:
    """The survey's steps in order, and the FSM states (``<group>:<step name>``) they make."""

    def __init__(self, steps: Iterable[Step], *, group: str = "Survey") -> None:
        self.steps: tuple[Step, ...] = tuple(steps)
        _check(self.steps)
        self.group = group
        # An aiogram StatesGroup named ``group`` with a State per step, so the stored FSM state
        # of a partner mid-survey ("Survey:comment") is the same string as before.
        namespace: dict[str, Any] = {step.name: State() for step in self.steps}
        self.states: type[StatesGroup] = types.new_class(
            group, (StatesGroup,), exec_body=lambda ns: ns.update(namespace)
        )
        self._by_state = {self.state_of(step).state: step for step in self.steps}

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    @property
    def score(self) -> Step:
        """The first step: question 1."""
        return self.steps[0]

    def state_of(self, step: Step) -> State:
        """The FSM state of a partner asked ``step``."""
        state = getattr(self.states, step.name)
        assert isinstance(state, State)
        return state

    def states_of(self, kind: str) -> list[State]:
        """The FSM states of every step of ``kind`` (the handlers' state filters)."""
        return [self.state_of(step) for step in self.steps if step.kind == kind]

    def at_state(self, state: str | None) -> Step | None:
        """The step a stored FSM state names, if it is one of this survey's."""
        return self._by_state.get(state) if state is not None else None

    def at_stage(self, stage: str) -> Step | None:
        """The step a response's ``stage`` waits for (None: done, or not a step of this survey)."""
        return next((step for step in self.steps if step.name == stage), None)

    def after(self, step: Step, category: str) -> Step | None:
        """The next step a partner of ``category`` is asked after ``step`` (None: finished)."""
        later = self.steps[self.steps.index(step) + 1 :]
        return next((s for s in later if s.asks(category)), None)

    def stage_after(self, step: Step, category: str) -> str:
        """The ``responses.stage`` once ``step`` is answered."""
        following = self.after(step, category)
        return following.name if following is not None else STAGE_DONE

    def with_step(self, step: Step, *, after: str) -> SurveyDefinition:
        """This survey with ``step`` asked right after the step named ``after``."""
        at = self.steps.index(self._named(after)) + 1
        return SurveyDefinition((*self.steps[:at], step, *self.steps[at:]), group=self.group)

    def _named(self, name: str) -> Step:
        step = self.at_stage(name)
        if step is None:
            raise KeyError(name)
        return step


def _check(steps: tuple[Step, ...]) -> None:
    """Refuse a survey the handlers cannot run (at start-up, not mid-conversation)."""
    if not steps or steps[0].kind != SCORE:
        raise ValueError("a survey starts with its score step")
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise ValueError(f"step names repeat: {names}")
    for step in steps:
        if step.kind not in KINDS:
            raise ValueError(f"{step.name}: unknown kind {step.kind!r}")
        if not step.name.isidentifier() or len(step.name) > STAGE_LENGTH or step.name == STAGE_DONE:
            raise ValueError(f"{step.name!r}: not an identifier of {STAGE_LENGTH} characters at most")
        if not set(step.question) <= set(CATEGORIES):
            raise ValueError(f"{step.name}: unknown category in {sorted(step.question)}")
        if step.kind == OPEN_TEXT and not (step.column and step.column.isidentifier()):
            raise ValueError(f"{step.name}: an open question names the column it is stored in")
    if sum(step.kind == SCORE for step in steps) != 1 or sum(step.kind == AREAS for step in steps) > 1:
        raise ValueError("a survey has one score step and at most one areas step")
    for category in CATEGORIES:
        if not any(step.asks(category) for step in steps[1:]):
            raise ValueError(f"{category}: asked nothing after the score")


# The survey partners answer: the score, the follow-up of their category, the areas.
SURVEY = SurveyDefinition(
    (
        score_step(),
        open_step(
            "comment",
            {PROMOTER: "q-comment-promoter", PASSIVE: "q-comment-passive", DETRACTOR: "q-comment-improve"},
            column="comment",
            classified=True,
        ),
        areas_step("drivers"),
    )
)

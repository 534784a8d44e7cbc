"""The survey's wording, in one place: question 1, the follow-up each category is asked, and
the areas question. Handlers read the locale keys from here, never spell them.

Categories (storage.models.response.category_of): promoter 9-10, passive 7-8, detractor 0-6.
Each has its own follow-up, as the README promises: promoters are asked what they value,
passives what would make them recommend us, detractors what we should fix first.
"""

from __future__ import annotations

from types import MappingProxyType

from storage.models.response import DETRACTOR, PASSIVE, PROMOTER

SCORE_QUESTION = "q-score"
DRIVERS_QUESTION = "q-drivers"
FOLLOW_UP = MappingProxyType(
    {
        PROMOTER: "q-comment-promoter",
        PASSIVE: "q-comment-passive",
        DETRACTOR: "q-comment-improve",
    }
)


def follow_up(category: str) -> str:
    """The locale key of the open question a partner of ``category`` is asked."""
    return FOLLOW_UP[category]

"""Driver areas: the one place that names what can drive a partner's score.

Keyboards, locale keys (``area-<key>``), analytics and the comment classifier all use these keys.
"""

AREAS: tuple[str, ...] = (
    "support",
    "commission",
    "marketing",
    "portal",
    "payouts",
    "communication",
    "training",
    "other",
)


def is_area(key: str) -> bool:
    """Return True when ``key`` names a known driver area."""
    return key in AREAS

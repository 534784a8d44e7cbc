"""How reports name a partner: name, @username or external id; nothing for erased partners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.models import Partner


@dataclass(frozen=True, slots=True)
class PartnerRef:
    """Identity fields a manager may see; all None once the partner asked to be forgotten."""

    partner_id: int
    name: str | None
    username: str | None
    external_id: str | None
    segment: str | None
    tier: str | None
    erased: bool

    @classmethod
    def from_row(cls, row: Any) -> PartnerRef:
        """Build from a row holding the columns of :data:`COLUMNS`, in that order."""
        pid, name, username, external_id, segment, tier, erased_at = row
        erased = erased_at is not None
        return cls(
            int(pid),
            None if erased else name,
            None if erased else username,
            None if erased else external_id,
            segment,
            tier,
            erased,
        )


COLUMNS = (
    Partner.id,
    Partner.name,
    Partner.username,
    Partner.external_id,
    Partner.segment,
    Partner.tier,
    Partner.erased_at,
)

"""Movement between a partner's last two answers in the regular series.

For a campaign report, "last two answers" are the partner's answer to this campaign and to the
previous regular campaign (see :mod:`storage.analytics.campaigns`); partners who answered only
one of them do not move. The 3×3 matrix counts every pair; the lists name the partners who
went promoter → detractor and detractor → promoter (capped, with the full count beside them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.analytics.nps import category_ranges
from storage.analytics.people import COLUMNS, PartnerRef
from storage.models import Partner, Response
from storage.models.response import DETRACTOR, PASSIVE, PROMOTER

LIST_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Movement:
    """Category pairs (previous, current) → partners, plus the named lists."""

    previous_campaign_id: int
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)
    to_detractor: tuple[PartnerRef, ...] = ()
    to_promoter: tuple[PartnerRef, ...] = ()

    @property
    def both(self) -> int:
        """Partners who answered both campaigns."""
        return sum(self.matrix.values())

    def count(self, before: str, after: str) -> int:
        """Partners who were ``before`` and are now ``after``."""
        return self.matrix.get((before, after), 0)


async def movement(
    session: AsyncSession, campaign_id: int, previous_id: int, list_limit: int = LIST_LIMIT
) -> Movement:
    """Movement from ``previous_id`` to ``campaign_id``."""
    now, before = aliased(Response), aliased(Response)
    # One aggregate row of nine pair counts rather than GROUP BY (category, category): SQLite
    # would sort every pair of answers in a temporary B-tree first, which costs more than the
    # nine CASEs. Both sides are walked and probed in partner order (local, no table lookups).
    bands = list(zip((PROMOTER, PASSIVE, DETRACTOR), category_ranges(before.score), strict=True))
    now_bands = list(zip((PROMOTER, PASSIVE, DETRACTOR), category_ranges(now.score), strict=True))
    cells = [(was, became, and_(b, n)) for was, b in bands for became, n in now_bands]
    pairs = (
        select(*(func.sum(case((both, 1), else_=0)) for _, _, both in cells))
        .select_from(now)
        .join(before, (before.partner_id == now.partner_id) & (before.campaign_id == previous_id))
        .where(now.campaign_id == campaign_id)
    )
    row = (await session.execute(pairs)).one()
    matrix = {(was, became): int(n) for (was, became, _), n in zip(cells, row, strict=True) if n}

    def named(was_promoter: bool) -> Select[*tuple[Any, ...]]:
        # "+ 0" keeps SQLite from picking the (campaign, score) index for these ranges: walking
        # this campaign's answers in partner order lets LIMIT stop after a few rows instead.
        if was_promoter:
            went = (before.score + 0 >= 9) & (now.score + 0 <= 6)
        else:
            went = (before.score + 0 <= 6) & (now.score + 0 >= 9)
        return (
            select(*COLUMNS)
            .select_from(now)
            .join(before, (before.partner_id == now.partner_id) & (before.campaign_id == previous_id))
            .join(Partner, Partner.id == now.partner_id)
            .where(now.campaign_id == campaign_id, went)
            # In index order (no sort): SQLite stops after ``list_limit`` matches.
            .order_by(now.partner_id)
            .limit(list_limit)
        )

    down = [PartnerRef.from_row(r) for r in (await session.execute(named(True))).all()]
    up = [PartnerRef.from_row(r) for r in (await session.execute(named(False))).all()]
    return Movement(previous_id, matrix, tuple(down), tuple(up))

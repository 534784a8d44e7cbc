"""Key partners: the smallest set of partners that brought at least 80% of the revenue over
the last 3 imported months (the latest month with KPI rows and the two before it).

Also each partner's trailing revenue over those months (exports, revenue at risk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PartnerKpi
from storage.repo.kpi_import import shift

SHARE = Decimal("0.8")
TRAILING = 3


@dataclass(frozen=True)
class KeyPartners:
    """The key partners' ids, and every partner's trailing revenue in cents."""

    months: tuple[str, ...] = ()
    ids: frozenset[int] = frozenset()
    trailing_cents: dict[int, int] = field(default_factory=dict)

    @property
    def total_cents(self) -> int:
        return sum(self.trailing_cents.values())


async def last_month(session: AsyncSession) -> str | None:
    """The latest month with KPI rows (None before any import)."""
    return await session.scalar(select(func.max(PartnerKpi.month)))


async def trailing_revenue(session: AsyncSession) -> tuple[tuple[str, ...], dict[int, int]]:
    """The last 3 imported months and every partner's revenue over them, in cents."""
    last = await last_month(session)
    if last is None:
        return (), {}
    first = shift(last, -(TRAILING - 1))
    cents = type_coerce(PartnerKpi.revenue, BigInteger)
    rows = await session.execute(
        select(PartnerKpi.partner_id, func.sum(cents))
        .where(PartnerKpi.month.between(first, last))
        .group_by(PartnerKpi.partner_id)
    )
    months = tuple(shift(last, -i) for i in reversed(range(TRAILING)))
    return months, {int(pid): int(total or 0) for pid, total in rows}


async def key_partners(session: AsyncSession) -> KeyPartners:
    """See module docstring; no key partners while there is no revenue."""
    months, trailing = await trailing_revenue(session)
    total = sum(v for v in trailing.values() if v > 0)
    ids: set[int] = set()
    if total > 0:
        running = 0
        for pid, cents in sorted(trailing.items(), key=lambda item: (-item[1], item[0])):
            if running >= SHARE * total or cents <= 0:
                break
            ids.add(pid)
            running += cents
    return KeyPartners(months, frozenset(ids), trailing)

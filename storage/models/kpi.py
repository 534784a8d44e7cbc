"""A partner's own figures for one calendar month, as the program's systems report them."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from storage.models.base import Base, UTCDateTime, utcnow

# status of a month; None: not reported (then the figures say whether the month was active)
ACTIVE = "active"
PAUSED = "paused"
CHURNED = "churned"
STATUSES = (ACTIVE, PAUSED, CHURNED)
CENT = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """Decimal amounts stored as whole cents: exact sums on every database (SQLite has no
    decimal type: its NUMERIC is a float)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: object) -> int | None:
        if value is None:
            return None
        cents = value * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"{value} has more than two decimals")
        return int(cents)

    def process_result_value(self, value: object, dialect: object) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(str(value)) / 100).quantize(CENT)  # a SUM may come back as Decimal or int


class PartnerKpi(Base):
    """One partner's month: upserted on (partner, month) by every import path (storage/kpi_import.py)."""

    __tablename__ = "partner_kpis"
    __table_args__ = (
        # Key partners and "the last imported month": revenue of every partner over a few months,
        # read from the index alone.
        Index("ix_partner_kpis_month", "month", "partner_id", "revenue"),
        # SQLite: rows stored in primary-key order, so a partner's months are read in one range
        # without a second lookup per row (the retention query reads every month of every
        # respondent). PostgreSQL ignores it.
        {"sqlite_with_rowid": False},
    )

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    # "YYYY-MM": sorts and compares as the calendar does.
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    revenue: Mapped[Decimal | None] = mapped_column(Money())
    payout: Mapped[Decimal | None] = mapped_column(Money())
    conversions: Mapped[int | None] = mapped_column(Integer)
    clicks: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

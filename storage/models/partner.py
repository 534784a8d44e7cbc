"""A partner of the affiliate program: who they are and whether we may message them."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, ColumnElement, Date, Index, Numeric, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow

STAFF = "staff"  # role: an admin or manager, not a partner
OPTED_IN = "partner"  # role: staff who chose to be a partner too


class Partner(Base):
    """One partner; linked to a Telegram user once they press /start."""

    __tablename__ = "partners"
    # Segment first, then the partner and the revenue (migration 0009): a report walks it in
    # segment order, probing each partner's answer, without a sort and without table lookups.
    __table_args__ = (Index("ix_partners_segment_revenue", "segment", "id", "monthly_revenue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Id in the affiliate platform / CRM; None for partners who came to the bot on their own.
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(256))
    segment: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[str | None] = mapped_column(String(64))
    geo: Mapped[str | None] = mapped_column(String(64))
    niche: Mapped[str | None] = mapped_column(String(64))
    monthly_revenue: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    language: Mapped[str | None] = mapped_column(String(8))
    joined_at: Mapped[date | None] = mapped_column(Date)
    # The partner's own manager: a Telegram @username (without the @) or a numeric id.
    manager: Mapped[str | None] = mapped_column(String(64))
    invite_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    invite_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None: a partner. "staff": an admin or manager who pressed Start, known to the bot but never
    # surveyed or counted. "partner": staff who opted in (/start partner), or made one by import.
    role: Mapped[str | None] = mapped_column(String(16))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @classmethod
    def reachable(cls) -> ColumnElement[bool]:
        """SQL condition: the bot may message this partner (they pressed /start, since a bot
        cannot write first, and have not opted out, blocked the bot or been erased)."""
        return and_(
            cls.telegram_id.is_not(None),
            cls.started_at.is_not(None),
            cls.opted_out.is_(False),
            cls.blocked_at.is_(None),
            cls.erased_at.is_(None),
            cls.is_partner(),
        )

    @classmethod
    def is_partner(cls) -> ColumnElement[bool]:
        """SQL condition: a partner of the program, not an admin or manager (see ``role``)."""
        return or_(cls.role.is_(None), cls.role != STAFF)

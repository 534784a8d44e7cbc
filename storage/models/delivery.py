"""Outbox for bulk sends: one row per message a campaign step owes a partner.

The unique key (kind, campaign, partner, ref) is what makes "never messaged twice by the same
campaign step" a database guarantee, not a hope.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow

# kind
INVITATION = "invitation"
REMINDER = "reminder"
ANNOUNCEMENT = "announcement"

# status: pending -> sending -> sent | blocked | failed
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
BLOCKED = "blocked"
FAILED = "failed"


class Delivery(Base):
    """A single bulk message and where it stands."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "campaign_id", "partner_id", "ref"),
        Index("ix_deliveries_queue", "status", "kind", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    # Announcement id for kind=announcement, else 0 (NULLs would defeat the unique key).
    ref: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # While ``sending``: the process that claimed the row and until when its claim holds; a row
    # whose lease ran out (its sender died) is claimed again by a live one.
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

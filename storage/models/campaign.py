"""A survey campaign: one round of the NPS question sent to an audience."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow

# kind
ONGOING = "ongoing"  # the always-open feedback campaign every install has
MANUAL = "manual"
QUARTERLY = "quarterly"

# status
DRAFT = "draft"
RUNNING = "running"
PAUSED = "paused"
CLOSED = "closed"
CANCELLED = "cancelled"
# Answers are taken while the campaign runs or is paused (the partner already has it).
ANSWERABLE = (RUNNING, PAUSED)


class Campaign(Base):
    """Campaign settings and life cycle; delivery state lives in ``deliveries``."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=MANUAL)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    # Comma-joined segments the audience was drawn from; None means all.
    segments: Mapped[str | None] = mapped_column(Text)
    sample: Mapped[str | None] = mapped_column(String(16))
    # On a pilot (sample=): the campaign whose launch completed its wave (migration 0015).
    wave_id: Mapped[int | None] = mapped_column(Integer)
    force: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Unique period key (e.g. "2026Q4") so the quarterly job can never create a period twice.
    period_key: Mapped[str | None] = mapped_column(String(16), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # Telegram user id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where the live progress bar of the launch is edited.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)

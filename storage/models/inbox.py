"""Journal of raw Telegram updates, written before Telegram is told we have them."""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class InboxUpdate(Base):
    """One update as Telegram sent it; processed_at is set in the handler's own transaction."""

    __tablename__ = "inbox_updates"
    __table_args__ = (
        Index("ix_inbox_updates_pending", "processed_at"),
        # The few rows holding a reply that waits for its send slot: partial, WHERE reply IS NOT
        # NULL, in the migration only (0012; why: ix_responses_commented in response.py).
        Index("ix_inbox_updates_held", "lease_until"),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    # Webhook replicas: who is handling the update, until when (renewed while it runs), and the
    # partner/chat whose updates must run one at a time, in update_id order, across replicas.
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ordering_key: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # A reply of the handled update still waiting for its send slot (bot/held_replies.py): if
    # the process dies while it waits, whoever takes the row over sends it.
    reply: Mapped[str | None] = mapped_column(Text)

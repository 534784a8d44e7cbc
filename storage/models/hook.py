"""Outbound webhooks ("hooks"): the endpoints admins configure and the outbox of their events.

Named hooks so nobody confuses them with WEBHOOK_URL, Telegram's webhook to us. An event is
queued as one ``hook_deliveries`` row per subscribed endpoint in the transaction of the write
that caused it (storage.repo.hook_events), and the worker's hook sender (bot.hooks.sender)
delivers it at least once, with the same ``msg_id`` (the ``webhook-id`` header) on every try.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow

# HookEndpoint.source
FROM_CHAT = "chat"  # /hook_add
FROM_FILE = "file"  # HOOKS_FILE, kept in step with the file at start-up

# HookDelivery.status: pending -> sending -> delivered | failed (gave up after the retry window)
PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
FAILED = "failed"


class HookEndpoint(Base):
    """A receiver of signed events (Standard Webhooks) and how its deliveries are going."""

    __tablename__ = "hook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    # whsec_<base64>: the signing key; shown once when added, never logged.
    secret: Mapped[str] = mapped_column(String(128))
    # Space-separated event types or patterns ("response.*"); "*" is every event.
    events: Mapped[str] = mapped_column(String(512), default="*")
    source: Mapped[str] = mapped_column(String(8), default=FROM_CHAT)
    # Only from HOOKS_FILE (the operator's own choice): a receiver in a private network.
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Failing: first failure since the last success, failures in a row, when to try it again,
    # and when the managers' chat was told (once per failing spell).
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HookDelivery(Base):
    """One event owed to one endpoint. The id orders a partner's events."""

    __tablename__ = "hook_deliveries"
    __table_args__ = (
        Index("ix_hook_deliveries_due", "status", "next_attempt_at"),
        # "Is an earlier event of this partner still owed to this endpoint?" (per-partner order)
        Index("ix_hook_deliveries_order", "endpoint_id", "partner_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("hook_endpoints.id", ondelete="CASCADE"))
    msg_id: Mapped[str] = mapped_column(String(64))  # webhook-id: the same on every retry
    event_type: Mapped[str] = mapped_column(String(32))
    # The partner the event is about (None: campaign events); their events go out in order.
    partner_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # the JSON body, signed as is
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

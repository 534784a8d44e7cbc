"""The bot's shared send budget: when its next message slot is, and until when a 429 pauses it."""

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SendBudgetRow(Base):
    """One row per budget (one per bot token); times are seconds since the epoch (wall clock)."""

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)
    paused_until: Mapped[float] = mapped_column(Float, default=0.0)

"""Sealed figures: a closed campaign's answer counts, stored once instead of counted per digest."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class CampaignFigures(Base):
    """Promoters, passives and detractors of a campaign that takes no more answers.

    Written by :mod:`storage.analytics.sealed`; the digest's trend reads these rows instead of
    counting every answer of the past campaigns again.
    """

    __tablename__ = "campaign_figures"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    promoters: Mapped[int] = mapped_column(Integer)
    passives: Mapped[int] = mapped_column(Integer)
    detractors: Mapped[int] = mapped_column(Integer)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

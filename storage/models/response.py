"""A partner's answer to a campaign: score, comment and the areas behind the score."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, utcnow

# stage of the conversation the response is at
STAGE_COMMENT = "comment"
STAGE_DRIVERS = "drivers"
STAGE_DONE = "done"

PROMOTER = "promoter"
PASSIVE = "passive"
DETRACTOR = "detractor"


def category_of(score: int) -> str:
    """NPS category of a 0-10 score."""
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR


class Response(Base):
    """One response per partner per campaign round; answering again in a round updates it.

    Regular campaigns have one round (0). Ongoing feedback starts a new round at every
    ``/survey``, so earlier feedback is kept as it was."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("campaign_id", "partner_id", "round"),
        Index("ix_responses_campaign_score", "campaign_id", "score"),
        Index("ix_responses_answered_at", "answered_at"),
        # The read API pages through changes in (updated_at, id) order (0018).
        Index("ix_responses_changes", "updated_at", "id"),
        # Report queries: per-campaign counts joined to partners, and the latest comments.
        Index("ix_responses_campaign_partner_score", "campaign_id", "partner_id", "score"),
        # Breakdowns by the answer-time segment walk a campaign's answers in segment order (0014).
        Index("ix_responses_campaign_segment", "campaign_id", "segment", "score", "partner_id"),
        # This one and the next are partial, WHERE comment IS NOT NULL (0001, 0009): the WHERE
        # lives in the migrations only. Declared here (postgresql_where=) it would import
        # SQLAlchemy's whole PostgreSQL dialect at every start, on SQLite too (0.06-0.24 s), and
        # Alembic's model comparison does not look at it; tests/test_migrations.py checks it.
        Index("ix_responses_commented", "campaign_id", "answered_at"),
        # The digest's quotes: best (or worst) commented answers, newest first (0009).
        Index("ix_responses_quotes", "campaign_id", "score", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16), default=STAGE_COMMENT)
    # The message holding the 0-10 keyboard, edited to show the chosen score.
    question_message_id: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The partner as they were when they answered (copied with the score): reports group by
    # these, so re-importing partners rewrites no past figure.
    segment: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[str | None] = mapped_column(String(64))
    geo: Mapped[str | None] = mapped_column(String(64))
    niche: Mapped[str | None] = mapped_column(String(64))
    manager: Mapped[str | None] = mapped_column(String(64))

    drivers: Mapped[list["ResponseDriver"]] = relationship(
        # Loaded explicitly where needed (selectinload); most updates never touch drivers.
        cascade="all, delete-orphan",
        lazy="raise",
        order_by="ResponseDriver.area",
    )

    @property
    def category(self) -> str:
        """promoter, passive or detractor."""
        return category_of(self.score)


class ResponseDriver(Base):
    """An area the partner said influenced the score."""

    __tablename__ = "response_drivers"
    __table_args__ = (
        # The digest's area counts read one campaign's areas without scanning every campaign's (0011).
        Index("ix_response_drivers_campaign", "campaign_id", "area", "response_id"),
    )

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    # The response's campaign, copied (a response never changes campaign; it goes with the
    # response through the foreign key's cascade).
    campaign_id: Mapped[int] = mapped_column(Integer)

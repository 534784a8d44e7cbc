"""Themes of a response's comment: the classifier's verdict and a person's tag."""

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime

THEME_SEPARATOR = ";"


class ResponseTheme(Base):
    """One row per commented response.

    ``areas`` / ``confidence`` are the classifier's (written when the comment arrives and by
    ``nps-bot themes --reclassify``); ``manual`` is what a manager chose in ``/themes``, with who
    and when. A manual tag wins everywhere and is never overwritten by reclassifying; a new
    comment text clears it (it was about the old text).
    """

    __tablename__ = "response_themes"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    areas: Mapped[str] = mapped_column(String(400))  # area keys, strongest first, ";"-separated
    confidence: Mapped[float] = mapped_column(Float)
    classified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    manual: Mapped[str | None] = mapped_column(String(400))
    tagged_by: Mapped[int | None] = mapped_column(BigInteger)  # Telegram user id of the manager
    tagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def auto_areas(self) -> list[str]:
        """The classifier's areas."""
        return [a for a in self.areas.split(THEME_SEPARATOR) if a]

    def manual_areas(self) -> list[str] | None:
        """The person's areas, None when untagged."""
        return None if self.manual is None else [a for a in self.manual.split(THEME_SEPARATOR) if a]

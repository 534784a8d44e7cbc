"""Messages the bot posted that show a partner's name or words (relays, prompts, lists).

An erasure must reach them too: Telegram keeps a message until the bot edits or deletes it, and
nothing else remembers where they are. Alerts keep their own message (alerts.message_id).
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class PartnerPost(Base):
    """One message (chat, message id) that shows the partner."""

    __tablename__ = "partner_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

"""What the bot learned from Telegram at run time and must remember across restarts.

``bot_state`` is a small key/value table: the managers' chat id after Telegram upgraded the group
to a supergroup (``MANAGER_CHAT_ID`` in the environment is stale from then on), and whether the
bot is currently out of that chat. ``held_posts`` keeps digests that could not be posted while the
bot was out of the managers' chat, until it is added back.
"""

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class BotState(Base):
    """One remembered value (see module docstring for the keys)."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HeldPost(Base):
    """A digest for the managers' chat that waits for the bot to be back in it."""

    __tablename__ = "held_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    parts: Mapped[str] = mapped_column(Text)  # JSON list of HTML texts, in order
    chart: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

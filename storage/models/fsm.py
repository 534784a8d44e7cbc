"""aiogram FSM state and data, kept in the database so conversations survive restarts."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class FsmRecord(Base):
    """State and JSON data for one FSM key (bot:chat:user[:thread])."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(Text, default="{}")

"""Trained models saved once per version of what they are trained from (the theme classifier)."""

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class ModelCache(Base):
    """One trained model: ``key`` names the model and hashes its corpus (see themes/model.py)."""

    __tablename__ = "model_cache"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

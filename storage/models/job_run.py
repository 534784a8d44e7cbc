"""Which scheduled run of a job has happened: the worker's memory of time, kept in our database."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class JobRun(Base):
    """One run of a scheduled job for one period (its scheduled time); the key makes it once only.

    ``finished_at`` stays empty while the run is under way (or when its process died mid-run).
    """

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

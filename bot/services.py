"""What the running bot is made of, handed to handlers (as keyword data), jobs and operations.

Every field is typed. The parts a role may lack are optional: a ``web`` replica has no sender
and runs no scheduler, so operations reach the worker through the database and only wake a
sender that runs in this process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import Translator
from bot.survey_definition import SURVEY, SurveyDefinition


class ScheduledJob(Protocol):
    """A scheduled job as /schedule lists it (scheduler.specs.JobSpec; the bot does not import the
    scheduler: the composition root hands the jobs in)."""

    @property
    def id(self) -> str:
        """Stable job id (the locale key is ``job-<id>``)."""

    @property
    def description(self) -> str:
        """Shown when the locale names no such job."""

    def next_run(self, now: datetime) -> datetime | None:
        """The next scheduled time after ``now`` (None: never again)."""


class OutboxSender(Protocol):
    """The bulk sender of this process (bot.sending.engine.SendingEngine), as operations see it."""

    def notify(self) -> None:
        """New rows were queued: look now."""

    def hold(self, campaign_id: int) -> None:
        """The campaign was paused or closed: claimed rows go back instead of out."""

    def unhold(self, campaign_id: int) -> None:
        """The campaign was resumed."""

    def watch(self, campaign_id: int, chat_id: int, message_id: int, locale: str | None = None) -> None:
        """Keep a progress message up to date."""


@dataclass
class Services:
    """Long-lived parts of the application."""

    settings: Settings
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    translator: Translator
    # Long read-only work (digests, exports) on connections of its own (SQLite; see
    # storage/db.py). The same sessions when not set.
    report_sessionmaker: async_sessionmaker[AsyncSession] | None = None
    # The bulk sender when this process runs one (roles "run" and "worker").
    sender: OutboxSender | None = None
    # The scheduled jobs the settings ask for (whichever process runs them): /schedule lists them.
    jobs: Sequence[ScheduledJob] = field(default_factory=tuple)
    # The survey partners answer (bot/survey_definition.py).
    survey: SurveyDefinition = SURVEY

    @property
    def reports(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for long read-only work."""
        return self.report_sessionmaker or self.sessionmaker

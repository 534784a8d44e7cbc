"""The database session of the update being handled, for code aiogram calls without our data.

The FSM storage and the commit-before-send request middleware are called by aiogram, not by our
handlers, so they find the update's session (and its journal row) here instead of opening
their own.
"""

from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)
# update_id of the journaled update being handled (None: not journaled, e.g. a direct feed).
current_journal_id: ContextVar[int | None] = ContextVar("current_journal_id", default=None)

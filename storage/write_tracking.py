"""The session class that knows whether its open transaction wrote, for the commit guard's warning.

Every session of :func:`storage.db.create_sessionmaker` runs on :class:`WriteTrackingSession`.
Its ``wrote`` flag is set by a DML statement or a flush and cleared when the outermost
transaction ends; :meth:`storage.unit_of_work.UnitOfWork.has_writes` reads it, and only the
request guard's warning (bot/middlewares/requests.py) depends on that: no behaviour does.

The three listeners are attached once, to this class, when the first sessionmaker is created
(not at import, not per session): attaching them to each update's session cost about a tenth of
the receiver's CPU per update in the burst benchmark (SQLAlchemy builds per-instance event
collections), against nothing measurable for class listeners.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction


class WriteTrackingSession(Session):
    """A Session whose ``wrote`` says whether the open transaction holds a DML statement or flush."""

    wrote: bool = False


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _mark(state.session, True)


def _on_flush(session: Session, _flush: UOWTransaction) -> None:
    _mark(session, True)


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed or rolled back, by a handler or a domain operation
        _mark(session, False)


def _mark(session: Session, wrote: bool) -> None:
    if isinstance(session, WriteTrackingSession):
        session.wrote = wrote


LISTENERS = (
    ("do_orm_execute", _on_execute),
    ("after_flush", _on_flush),
    ("after_transaction_end", _on_transaction_end),
)


def track_writes() -> type[WriteTrackingSession]:
    """Attach the listeners to :class:`WriteTrackingSession` (once) and return the class."""
    for name, listener in LISTENERS:
        if not event.contains(WriteTrackingSession, name, listener):
            event.listen(WriteTrackingSession, name, listener)
    return WriteTrackingSession

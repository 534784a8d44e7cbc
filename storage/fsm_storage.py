"""aiogram FSM storage on SQLAlchemy.

Inside an update it works through that update's session: the row is read once per update and
kept in the session's ``info``, and a change is written when that session commits (a
``before_commit`` listener), so the state goes in the same transaction as the answer it belongs
to, and a handler that sets the state and the data in several calls costs one statement. The
request middleware commits before every Telegram call, so the state is durable before the
partner sees our reply; a change opens the session's transaction if none is open, so that
commit is never skipped. Outside an update it uses a short session of its own and writes at
once. Writes are upserts: two processes handling one user never collide on the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import BigInteger, bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage import upsert
from storage.models import FsmRecord, Partner
from storage.repo import partners
from storage.session_context import current_session
from storage.tables import table_of

_CACHE = "fsm_entries"  # session.info key: FSM key -> _Entry, as this session sees it
_PENDING = "fsm_pending"  # session.info key: FSM keys changed since the session's last commit

_TABLE = table_of(FsmRecord)
_PARTNERS = table_of(Partner)
_READ = select(_TABLE.c.state, _TABLE.c.data).where(_TABLE.c.key == bindparam("fsm_key"))
# An update's first read (aiogram's FSM middleware runs just before ours looks up the partner):
# the FSM row and the partner of the same user, in one statement and one row either way.
_WANTED = select(bindparam("telegram_id", type_=BigInteger).label("telegram_id")).subquery("wanted")
_FIRST_READ = select(_TABLE.c.state, _TABLE.c.data, *partners.REF_COLUMNS).select_from(
    _WANTED.outerjoin(_PARTNERS, _PARTNERS.c.telegram_id == _WANTED.c.telegram_id).outerjoin(
        _TABLE, _TABLE.c.key == bindparam("fsm_key")
    )
)
_FIRST_DONE = "fsm_first_read"  # session.info key: this session made its first read


def _build_upsert(make: Any) -> Any:
    stmt = make(_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.key], set_={"state": stmt.excluded.state, "data": stmt.excluded.data}
    )


_UPSERT = upsert.per_dialect(_build_upsert)


@dataclass
class _Entry:
    state: str | None
    data: str

    def row(self, key: str) -> dict[str, Any]:
        return {"key": key, "state": self.state, "data": self.data}


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    """The FSM changes of the committing session go into its transaction."""
    pending: set[str] | None = session.info.pop(_PENDING, None)
    if pending:
        cache: dict[str, _Entry] = session.info[_CACHE]
        stmt = upsert.pick(session, _UPSERT)
        for key in sorted(pending):
            session.execute(stmt, cache[key].row(key))


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    """Changes rolled back with the transaction are gone, and what was read may be stale."""
    session.info.pop(_PENDING, None)
    session.info.pop(_CACHE, None)


def take_pending(session: AsyncSession) -> list[dict[str, Any]]:
    """The rows of the FSM changes this session has not written yet, taken out of it: the
    caller writes them (storage/group_commit.py) and the session's commit no longer will."""
    pending: set[str] | None = session.info.pop(_PENDING, None)
    if not pending:
        return []
    cache: dict[str, _Entry] = session.info[_CACHE]
    return [cache[key].row(key) for key in sorted(pending)]


async def write_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Upsert rows :func:`take_pending` took, in the caller's transaction, as one executemany."""
    if rows:
        await session.execute(upsert.pick(session, _UPSERT), rows)


def forget(session: AsyncSession, is_gone: Callable[[str], bool]) -> None:
    """FSM rows whose keys ``is_gone`` are being deleted in this session (erasure): a change
    not written yet must not write them back, and what was read of them no longer holds."""
    pending: set[str] = session.info.get(_PENDING, set())
    cache: dict[str, _Entry] = session.info.get(_CACHE, {})
    for key in [k for k in cache if is_gone(k)]:
        pending.discard(key)
        del cache[key]


class SQLAlchemyStorage(BaseStorage):
    """FSM storage in the ``fsm_states`` table."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self.sessionmaker = sessionmaker
        self.keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def _entry(self, session: AsyncSession, key: str, user_id: int | None = None) -> _Entry:
        """The key's entry as this session sees it; ``user_id`` (in an update) lets the first
        read bring that user's partner along for the partner middleware."""
        cache: dict[str, _Entry] = session.info.setdefault(_CACHE, {})
        entry = cache.get(key)
        if entry is not None:
            return entry
        if user_id is not None and not session.info.get(_FIRST_DONE):
            session.info[_FIRST_DONE] = True
            state, data, *partner = (
                await session.execute(_FIRST_READ, {"fsm_key": key, "telegram_id": user_id})
            ).one()
            partners.read_ahead(session, user_id, partner)
        else:
            row = (await session.execute(_READ, {"fsm_key": key})).first()
            state, data = row if row is not None else (None, None)
        entry = cache[key] = _Entry(state, data or "{}")
        return entry

    async def _change(self, key: StorageKey, **values: Any) -> None:
        built = self.keys.build(key)
        shared = current_session.get()
        if shared is None:
            async with self.sessionmaker() as session:
                entry = await self._entry(session, built)
                for name, value in values.items():
                    setattr(entry, name, value)
                await session.execute(upsert.pick(session, _UPSERT), entry.row(built))
                await session.commit()
            return
        entry = await self._entry(shared, built, key.user_id)
        for name, value in values.items():
            setattr(entry, name, value)
        shared.info.setdefault(_PENDING, set()).add(built)
        if not shared.in_transaction():
            await shared.begin()  # so the next commit (before a reply, or the last) writes it

    async def _read(self, key: StorageKey) -> _Entry:
        shared = current_session.get()
        if shared is not None:
            return await self._entry(shared, self.keys.build(key), key.user_id)
        async with self.sessionmaker() as session:
            entry = await self._entry(session, self.keys.build(key))
            await session.commit()
            return entry

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Store the state (None clears it)."""
        value = state.state if isinstance(state, State) else state
        if (await self._read(key)).state != value:
            await self._change(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        """Current state or None."""
        return (await self._read(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the data."""
        dumped = orjson.dumps(dict(data), option=orjson.OPT_NON_STR_KEYS).decode()
        if (await self._read(key)).data != dumped:
            await self._change(key, data=dumped)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """Stored data, or an empty dict."""
        return dict(orjson.loads((await self._read(key)).data))

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the application."""

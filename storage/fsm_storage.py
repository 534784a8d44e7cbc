"""aiogram FSM storage on SQLAlchemy.

Inside an update it works through that update's session: the row is read once, every change
aiogram makes (state, then data, often several times) is kept on the session, and one upsert is
written when the session commits, in the same transaction as the answer it belongs to. Outside
an update it uses a short session of its own and writes at once.

Plain Core statements, built once: this runs on every update, and the ORM's unit of work cost
more than the statements themselves (``python -m tests.benchmarks.ingest``).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, cast

import orjson
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage import hot_sql, session_hooks
from storage.hot_sql import HotStatement, execute_sync, fetch_one
from storage.models import FsmRecord
from storage.session_context import current_session

_T = cast(Table, FsmRecord.__table__)
_SELECT = HotStatement(select(_T.c.state, _T.c.data).where(_T.c.key == bindparam("k")))
_UPDATE = HotStatement(
    update(_T).where(_T.c.key == bindparam("k")).values(state=bindparam("s"), data=bindparam("d"))
)
_INSERT = HotStatement(insert(_T).values(key=bindparam("k"), state=bindparam("s"), data=bindparam("d")))
_CACHE = "fsm_entries"


@dataclass
class _Entry:
    key: str
    state: str | None
    data: str
    stored: bool  # a row exists in the database
    dirty: bool = False


def _write(sync_session: Session, entry: _Entry) -> None:
    execute_sync(sync_session, _UPDATE if entry.stored else _INSERT, k=entry.key, s=entry.state, d=entry.data)
    entry.stored = True
    entry.dirty = False


def _forget_entries(sync_session: Session) -> None:
    """after_rollback: what was read or changed may be gone; read again next time."""
    sync_session.info.get(_CACHE, {}).clear()


def _flush_entries(sync_session: Session) -> None:
    """before_commit: write what aiogram changed during the update, once per key."""
    entries: dict[str, _Entry] = sync_session.info.get(_CACHE, {})
    for entry in entries.values():
        if entry.dirty:
            _write(sync_session, entry)


class SQLAlchemyStorage(BaseStorage):
    """FSM storage in the ``fsm_states`` table."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def _entry(self, session: AsyncSession, key: StorageKey) -> _Entry:
        entries: dict[str, _Entry] | None = session.info.get(_CACHE)
        if entries is None:
            entries = session.info[_CACHE] = {}
            session_hooks.before_commit(session, _flush_entries)
            session_hooks.after_rollback(session, _forget_entries)
        built = self._keys.build(key)
        entry = entries.get(built)
        if entry is None:
            row = await fetch_one(session, _SELECT, k=built)
            entry = entries[built] = (
                _Entry(built, row[0], row[1] or "{}", stored=True)
                if row
                else _Entry(built, None, "{}", stored=False)
            )
        return entry

    async def _change(self, key: StorageKey, **values: Any) -> None:
        shared = current_session.get()
        async with self._sessionmaker() if shared is None else nullcontext(shared) as session:
            entry = await self._entry(session, key)
            for name, value in values.items():
                setattr(entry, name, value)
            entry.dirty = True
            if shared is None:
                await session.commit()
            else:
                # An open transaction makes the commit-before-send middleware write this first.
                await hot_sql.begin(session)

    async def _read(self, key: StorageKey) -> _Entry:
        shared = current_session.get()
        if shared is not None:
            return await self._entry(shared, key)
        async with self._sessionmaker() as own:
            entry = await self._entry(own, key)
            await own.commit()
            return entry

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Store the state (None clears it)."""
        value = state.state if isinstance(state, State) else state
        entry = await self._read(key)
        if entry.state == value and (entry.stored or value is None):
            return
        await self._change(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        """Current state or None."""
        return (await self._read(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the data."""
        await self._change(key, data=orjson.dumps(dict(data), option=orjson.OPT_NON_STR_KEYS).decode())

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """Stored data, or an empty dict."""
        return dict(orjson.loads((await self._read(key)).data))

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the application."""

"""aiogram FSM storage on SQLAlchemy.

Inside an update it works through that update's session, so the state is written in the same
transaction as the answer it belongs to; the row is read once per update and kept in the
session's ``info``. Outside an update it uses a short session of its own. Writes are upserts:
two processes handling one user never collide on the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import orjson
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import upsert
from storage.models import FsmRecord
from storage.session_context import current_session

_CACHE = "fsm_entries"  # session.info key


@dataclass
class _Entry:
    state: str | None
    data: str


class SQLAlchemyStorage(BaseStorage):
    """FSM storage in the ``fsm_states`` table."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self.sessionmaker = sessionmaker
        self.keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    def _session(self) -> Any:
        shared = current_session.get()
        return nullcontext(shared) if shared is not None else self.sessionmaker()

    async def _entry(self, session: AsyncSession, key: str) -> _Entry:
        cache: dict[str, _Entry] = session.info.setdefault(_CACHE, {})
        entry = cache.get(key)
        if entry is None:
            row = (
                await session.execute(select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == key))
            ).first()
            entry = cache[key] = _Entry(row[0], row[1] or "{}") if row else _Entry(None, "{}")
        return entry

    async def _change(self, key: StorageKey, **values: Any) -> None:
        built = self.keys.build(key)
        async with self._session() as session:
            entry = await self._entry(session, built)
            for name, value in values.items():
                setattr(entry, name, value)
            stmt = upsert.insert(session, FsmRecord).values(key=built, state=entry.state, data=entry.data)
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[FsmRecord.key],
                    set_={"state": stmt.excluded.state, "data": stmt.excluded.data},
                )
            )
            if current_session.get() is None:
                await session.commit()

    async def _read(self, key: StorageKey) -> _Entry:
        async with self._session() as session:
            entry = await self._entry(session, self.keys.build(key))
            if current_session.get() is None:
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

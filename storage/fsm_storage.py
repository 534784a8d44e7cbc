"""aiogram FSM storage on SQLAlchemy.

The storage an update's handlers see is bound to that update's unit of work
(:meth:`SQLAlchemyStorage.bind`, done per update by bot/middlewares/fsm.py): a key is read once
per update and kept on the unit of work, and a change is written by the update's
``uow.commit()``, so the state goes in the same transaction as the answer it belongs to, and a
handler that sets the state and the data in several calls costs one statement. The unbound
storage (the Dispatcher's, for use outside an update) uses a short session of its own and writes
at once. Writes are upserts: two processes handling one user never collide on the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repo import fsm_rows
from storage.unit_of_work import FsmEntry, UnitOfWork


async def _read_entry(session: AsyncSession, key: str) -> FsmEntry:
    state, data = await fsm_rows.read(session, key)
    return FsmEntry(state, data or "{}")


class SQLAlchemyStorage(BaseStorage):
    """FSM storage in the ``fsm_states`` table; inside an update, through its ``uow``."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
        uow: UnitOfWork | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self.uow = uow

    def bind(self, uow: UnitOfWork) -> SQLAlchemyStorage:
        """This storage as the update of ``uow`` sees it: read through and written by ``uow``."""
        return SQLAlchemyStorage(self.sessionmaker, self.keys, uow)

    @staticmethod
    async def _in_update(uow: UnitOfWork, key: str) -> FsmEntry:
        entry = uow.fsm.get(key)
        if entry is None:
            entry = uow.fsm[key] = await _read_entry(uow.session, key)
        return entry

    async def _change(self, key: StorageKey, **values: Any) -> None:
        built = self.keys.build(key)
        if self.uow is None:
            async with self.sessionmaker() as session:
                entry = await _read_entry(session, built)
                for name, value in values.items():
                    setattr(entry, name, value)
                await fsm_rows.upsert(session, [entry.row(built)])
                await session.commit()
            return
        entry = await self._in_update(self.uow, built)
        for name, value in values.items():
            setattr(entry, name, value)
        self.uow.fsm_changed.add(built)  # written by the update's commit

    async def _read(self, key: StorageKey) -> FsmEntry:
        built = self.keys.build(key)
        if self.uow is not None:
            return await self._in_update(self.uow, built)
        async with self.sessionmaker() as session:
            return await _read_entry(session, built)

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

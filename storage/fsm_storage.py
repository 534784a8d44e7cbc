"""aiogram FSM storage on SQLAlchemy.

Inside an update it writes through that update's session, so a state change commits together
with the answer it belongs to; outside one it uses a short session of its own.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord
from storage.session_context import current_session


class SQLAlchemyStorage(BaseStorage):
    """FSM storage in the ``fsm_states`` table."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[tuple[AsyncSession, bool]]:
        shared = current_session.get()
        if shared is not None:
            yield shared, False
            return
        async with self._sessionmaker() as own:
            yield own, True

    async def _record(self, session: AsyncSession, key: StorageKey) -> FsmRecord | None:
        # aiogram reads state and data several times per update; within one session the answer
        # (including "no row") cannot change behind our back, so it is cached on the session.
        cache: dict[str, FsmRecord | None] = session.info.setdefault("fsm_cache", {})
        built = self._keys.build(key)
        if built not in cache:
            cache[built] = await session.get(FsmRecord, built)
        return cache[built]

    @staticmethod
    def _remember(session: AsyncSession, record: FsmRecord) -> None:
        session.info.setdefault("fsm_cache", {})[record.key] = record

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Store the state (None clears it)."""
        value = state.state if isinstance(state, State) else state
        async with self._session() as (session, own):
            record = await self._record(session, key)
            if record is None:
                if value is None:
                    return
                record = FsmRecord(key=self._keys.build(key), data="{}")
                session.add(record)
                self._remember(session, record)
            record.state = value
            if own:
                await session.commit()

    async def get_state(self, key: StorageKey) -> str | None:
        """Current state or None."""
        async with self._session() as (session, own):
            record = await self._record(session, key)
            if own:
                await session.commit()
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the data."""
        async with self._session() as (session, own):
            record = await self._record(session, key)
            if record is None:
                record = FsmRecord(key=self._keys.build(key), state=None)
                session.add(record)
                self._remember(session, record)
            record.data = json.dumps(dict(data), ensure_ascii=False)
            if own:
                await session.commit()

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """Stored data, or an empty dict."""
        async with self._session() as (session, own):
            record = await self._record(session, key)
            if own:
                await session.commit()
            return dict(json.loads(record.data)) if record and record.data else {}

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the application."""

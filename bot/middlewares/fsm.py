"""aiogram's FSM, per update, on that update's unit of work.

aiogram's own FSMContextMiddleware builds ``state`` (FSMContext), ``raw_state`` and
``fsm_storage`` for handlers and filters, but with the one storage the Dispatcher was given, and
a storage method only receives a StorageKey: it could not tell which update's transaction to
use. So the Dispatcher is built with ``disable_fsm=True`` and this outer middleware, placed after
DbSessionMiddleware (which creates ``uow``), runs aiogram's middleware for each update with the
storage bound to that update's ``uow`` (storage/fsm_storage.py). Keys, strategy and event
isolation stay aiogram's; the state is read and changed in the update's transaction and written
by its ``uow.commit()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import TelegramObject

from storage.fsm_storage import SQLAlchemyStorage
from storage.unit_of_work import UnitOfWork


class UpdateFsmMiddleware(BaseMiddleware):
    """Outer update middleware: aiogram's FSM data, with the storage bound to this update's ``uow``."""

    def __init__(self, fsm: FSMContextMiddleware, storage: SQLAlchemyStorage) -> None:
        self.fsm = fsm  # the Dispatcher's (``dp.fsm``): its strategy and event isolation
        self.storage = storage

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        uow: UnitOfWork = data["uow"]
        per_update = FSMContextMiddleware(
            storage=self.storage.bind(uow),
            events_isolation=self.fsm.events_isolation,
            strategy=self.fsm.strategy,
        )
        return await per_update(handler, event, data)

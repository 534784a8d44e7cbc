"""The update queue behind ``getUpdates``, with Telegram's long-poll semantics.

* ``offset`` confirms (forgets) every update with a smaller id; unconfirmed
  updates are delivered again on the next call, as Telegram does.
* ``timeout`` long-polls: the call returns as soon as an update is queued.
* A newer ``getUpdates`` terminates a still-waiting older one with
  ``409 Conflict`` - the error two running bot instances get in production.
* ``duplicate()`` re-queues an already delivered update with the same id,
  simulating a redelivery; it is handed out once even if the offset already
  passed it, because that is the case idempotency code must survive.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .wire import ApiError

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


@dataclass(eq=False)
class _Pending:
    update: dict[str, Any]
    forced: bool = False  # an injected redelivery, survives confirmation until sent
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((k for k in self.update if k != "update_id"), "")


class UpdateQueue:
    """Pending updates of one bot plus the long-poll machinery."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.next_id = first_update_id
        self.pending: list[_Pending] = []
        self.history: dict[int, dict[str, Any]] = {}
        self.confirmed_offset = 0
        self.allowed_updates: list[str] | None = None
        self.closed = False
        self._event = asyncio.Event()
        self._generation = 0
        self.on_push: list[Callable[[], None]] = []  # webhook delivery wakes on new updates

    def push(self, payload: dict[str, Any]) -> int:
        update = {key: value for key, value in payload.items() if key != "update_id"}
        update_id = self.next_id
        self.next_id += 1
        update = {"update_id": update_id, **copy.deepcopy(update)}
        self.history[update_id] = update
        self.pending.append(_Pending(update))
        self._event.set()
        for listener in self.on_push:
            listener()
        return update_id

    def duplicate(self, update_id: int) -> None:
        if update_id not in self.history:
            raise KeyError(f"update {update_id} was never pushed")
        self.pending.append(_Pending(copy.deepcopy(self.history[update_id]), forced=True))
        self._event.set()
        for listener in self.on_push:
            listener()

    def drop_all(self) -> int:
        dropped = len(self.pending)
        self.pending.clear()
        return dropped

    def close(self) -> None:
        """Release every waiting poller (server shutdown)."""
        self.closed = True
        self._event.set()

    def confirm(self, offset: int) -> None:
        if offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            self.pending = self.pending[offset:]
            return
        self.pending = [p for p in self.pending if p.update_id >= offset or (p.forced and not p.delivered)]
        self.confirmed_offset = max(self.confirmed_offset, offset)

    def _allowed(self, pending: _Pending) -> bool:
        return not self.allowed_updates or pending.kind in self.allowed_updates

    def take(self, limit: int) -> list[dict[str, Any]]:
        # Telegram never stores updates of types the bot opted out of.
        self.pending = [p for p in self.pending if self._allowed(p)]
        # Redeliveries first: a client sets offset from the last update of a
        # batch, so a redelivered old id after a newer one would re-fetch it.
        fresh = [p for p in self.pending if p.forced and not p.delivered]
        rest = sorted(
            (p for p in self.pending if not (p.forced and not p.delivered)),
            key=lambda p: p.update_id,
        )
        batch = (fresh + rest)[: max(1, min(limit, 100))]
        for item in batch:
            item.delivered = True
        return [copy.deepcopy(item.update) for item in batch]

    async def poll(
        self,
        offset: int | None,
        limit: int,
        wait: float,
        allowed_updates: list[str] | None,
    ) -> list[dict[str, Any]]:
        self._generation += 1
        generation = self._generation
        self._event.set()  # wake an older poller so it can answer 409
        if offset is not None:
            self.confirm(offset)
        if allowed_updates is not None:
            self.allowed_updates = list(allowed_updates) or None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            if generation != self._generation:
                raise ApiError(409, CONFLICT)
            batch = self.take(limit)
            remaining = deadline - loop.time()
            if batch or self.closed or remaining <= 0:
                return batch
            self._event.clear()
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                pass

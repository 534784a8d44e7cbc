"""A partner's turn (webhook replicas) is kept while its update runs, however long a reply waits."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.roles.turns import PartnerTurns
from storage.models import utcnow
from storage.repo import leases

TTL = timedelta(seconds=2)  # renewed every 2/3 s: a stall of over 1.3 s would lose it


def _tap(update_id: int, user_id: int) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "P"},
                "text": "7",
            },
        }
    )


async def test_the_turn_outlives_its_ttl_while_the_update_runs(db: async_sessionmaker[AsyncSession]) -> None:
    turns = PartnerTurns(db, "replica-a", ttl=TTL)
    release = asyncio.Event()
    looked = asyncio.Event()
    seen: list[str | None] = []

    async def handler(_event: Any, _data: dict[str, Any]) -> None:
        for _ in range(4):  # four TTLs long, like a reply waiting in a backlog
            await asyncio.sleep(TTL.total_seconds())
            async with db() as s:
                seen.append(await leases.holder_of(s, "turn:42", utcnow()))
        looked.set()
        await release.wait()

    task = asyncio.create_task(turns(handler, _tap(1, 42), {"journaled": True}))
    await asyncio.wait_for(looked.wait(), 60)
    # Another replica cannot take the partner's turn meanwhile.
    async with db() as s:
        assert not await leases.acquire(s, "turn:42", "replica-b", TTL, utcnow())
    release.set()
    await task
    assert seen == ["replica-a"] * 4
    async with db() as s:  # given back at the end
        assert await leases.holder_of(s, "turn:42", utcnow()) is None

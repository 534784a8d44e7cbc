"""Concurrent read-then-write transactions never fail with "database is locked"."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import Partner


async def test_concurrent_writers_from_two_engines_all_commit(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nps.db'}"
    await upgrade_async(url)
    # Two engines stand for two processes (the bot and `nps-bot import-partners`).
    engines = [create_engine(url), create_engine(url)]
    makers = [create_sessionmaker(e) for e in engines]
    async with makers[0]() as s:
        s.add(Partner(external_id="counter", monthly_revenue=0))
        await s.commit()

    async def bump(i: int) -> None:
        async with makers[i % 2]() as s:
            # Read first, then write: the pattern that fails under deferred transactions when
            # another writer commits in between (SQLITE_BUSY_SNAPSHOT).
            partner = await s.scalar(select(Partner).where(Partner.external_id == "counter"))
            assert partner is not None
            await asyncio.sleep(0)
            s.add(Partner(external_id=f"p{i}"))
            await s.flush()
            partner = await s.scalar(
                select(Partner)
                .where(Partner.external_id == "counter")
                .execution_options(populate_existing=True)
            )
            assert partner is not None
            partner.monthly_revenue = (partner.monthly_revenue or 0) + 1
            await s.commit()

    try:
        await asyncio.gather(*(bump(i) for i in range(200)))
        async with makers[1]() as s:
            counter = await s.scalar(select(Partner).where(Partner.external_id == "counter"))
            rows = (await s.scalars(select(Partner.external_id))).all()
    finally:
        for e in engines:
            await e.dispose()
    assert len(rows) == 201
    # Every increment survived: the write lock was taken before the value was re-read.
    assert counter is not None and int(counter.monthly_revenue or 0) == 200

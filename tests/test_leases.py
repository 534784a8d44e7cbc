"""Leases and outbox claims shared by several processes: one holder, take-over after expiry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Delivery, utcnow
from storage.models import delivery as d
from storage.repo import deliveries, leases
from tests.helpers import add_campaign, add_partner

TTL = timedelta(seconds=15)


async def test_one_holder_until_the_lease_runs_out(db: async_sessionmaker[AsyncSession]) -> None:
    now = utcnow()
    async with db() as s:
        assert await leases.acquire(s, "worker", "a", TTL, now)
        assert not await leases.acquire(s, "worker", "b", TTL, now + timedelta(seconds=5))
        assert await leases.acquire(s, "worker", "a", TTL, now + timedelta(seconds=10))  # renewed
        assert not await leases.acquire(s, "worker", "b", TTL, now + timedelta(seconds=20))
        # a stopped renewing at +10: from +25 on, b takes over and a cannot renew any more.
        assert await leases.acquire(s, "worker", "b", TTL, now + timedelta(seconds=26))
        assert not await leases.acquire(s, "worker", "a", TTL, now + timedelta(seconds=27))
        assert await leases.holder_of(s, "worker", now + timedelta(seconds=27)) == "b"
        await leases.release(s, "worker", "a")  # not a's to give up
        assert await leases.holder_of(s, "worker", now + timedelta(seconds=27)) == "b"
        await leases.release(s, "worker", "b")
        assert await leases.acquire(s, "worker", "a", TTL, now + timedelta(seconds=28))


async def test_two_processes_racing_for_a_new_lease_get_one_holder(
    db: async_sessionmaker[AsyncSession],
) -> None:
    now = utcnow()

    async def race(holder: str) -> bool:
        async with db() as s:
            return await leases.acquire(s, "worker", holder, TTL, now)

    assert sorted(await asyncio.gather(*(race(h) for h in "abcd"))) == [False, False, False, True]


async def _queue(db: async_sessionmaker[AsyncSession], n: int) -> None:
    async with db() as s:
        campaign = await add_campaign(s)
        for i in range(n):
            partner = await add_partner(s, telegram_id=8_100_000 + i, started_at=utcnow())
            s.add(Delivery(kind=d.INVITATION, campaign_id=campaign.id, partner_id=partner.id))
        await s.commit()


async def _claim(db: async_sessionmaker[AsyncSession], owner: str, limit: int) -> deliveries.Claim:
    async with db() as s:
        got = await deliveries.claim(s, limit, owner=owner, lease_until=utcnow() + TTL)
        await s.commit()
        return got


async def test_senders_never_take_each_others_live_rows(db: async_sessionmaker[AsyncSession]) -> None:
    await _queue(db, 10)
    a, b = await asyncio.gather(_claim(db, "a", 4), _claim(db, "b", 4))
    ids_a, ids_b = {r.id for r in a.rows}, {r.id for r in b.rows}
    assert len(ids_a) == len(ids_b) == 4 and not ids_a & ids_b
    # A third process starting now finds only the two pending rows: nothing is reset at start.
    c = await _claim(db, "c", 10)
    assert len(c.rows) == 2 and c.taken_over == 0 and not {r.id for r in c.rows} & (ids_a | ids_b)
    async with db() as s:
        await deliveries.release(s, sorted(ids_a), "b")  # b cannot give back a's rows
        await s.commit()
        owners = dict((await s.execute(select(Delivery.id, Delivery.claimed_by))).all())
    assert {owners[i] for i in ids_a} == {"a"}


async def test_a_dead_senders_rows_are_claimed_after_its_lease(db: async_sessionmaker[AsyncSession]) -> None:
    await _queue(db, 3)
    async with db() as s:
        dead = await deliveries.claim(s, 3, owner="dead", lease_until=utcnow() + timedelta(seconds=1))
        await s.commit()
    assert len(dead.rows) == 3
    assert (await _claim(db, "live", 10)).rows == []  # still its lease
    async with db() as s:  # the lease runs out (time moved on, as if 1 s had passed)
        rows = (await s.scalars(select(Delivery))).all()
        for row in rows:
            row.lease_until = utcnow() - timedelta(seconds=1)
        await s.commit()
    got = await _claim(db, "live", 10)
    assert len(got.rows) == 3 and got.taken_over == 3
    async with db() as s:
        assert await deliveries.renew(s, "live", utcnow() + TTL) == 3
        assert await deliveries.renew(s, "dead", utcnow() + TTL) == 0

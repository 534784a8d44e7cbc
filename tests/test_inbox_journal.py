"""The update journal: a batch is stored once per update id, and only new ids come back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import InboxUpdate, utcnow
from storage.repo import inbox


def _update(uid: int, text: str = "hi") -> dict[str, object]:
    return {"update_id": uid, "message": {"text": text}}


async def test_a_batch_is_journaled_once_and_reports_only_new_updates(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as s:
        assert await inbox.journal(s, [_update(1), _update(2), _update(2, "twice in one batch")]) == [1, 2]
        await s.commit()
    async with db() as s:
        # Telegram sends 2 again (not confirmed yet) with new ones, in any order of sizes.
        assert await inbox.journal(s, [_update(3), _update(2, "again"), _update(4)]) == [3, 4]
        assert await inbox.journal(s, [_update(4)]) == []
        await s.commit()
        await inbox.mark_processed(s, 1)
        await s.commit()
    async with db() as s:
        rows = (await s.execute(select(InboxUpdate.update_id, InboxUpdate.payload))).all()
        assert sorted(uid for uid, _ in rows) == [1, 2, 3, 4]
        assert dict(rows)[1] == inbox.HANDLED_PAYLOAD  # handled: no personal data kept
        assert "twice" not in dict(rows)[2] and "again" not in dict(rows)[2]  # the first copy stays
        assert [uid for uid, _ in await inbox.pending(s)] == [2, 3, 4]


async def test_a_replica_journals_its_updates_already_owned(db: async_sessionmaker[AsyncSession]) -> None:
    until = utcnow() + timedelta(seconds=15)
    mine = inbox.Claim("replica-a", until, lambda raw: 6_123_456_789)  # a 64-bit partner id
    theirs = inbox.Claim("replica-b", until, lambda raw: 1)
    async with db() as s:
        assert await inbox.journal(s, [_update(7)], mine) == [7]
        await s.commit()
    async with db() as s:
        assert await inbox.journal(s, [_update(7, "again")], theirs) == []  # delivered twice
        await s.commit()
        row = (
            await s.execute(select(InboxUpdate.claimed_by, InboxUpdate.lease_until, InboxUpdate.ordering_key))
        ).one()
    assert (row[0], row[2]) == ("replica-a", 6_123_456_789)
    assert row[1] is not None and abs((row[1] - until).total_seconds()) < 1

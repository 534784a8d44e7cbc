"""The update journal: a batch is stored once per update id, and only new ids come back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import InboxUpdate
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

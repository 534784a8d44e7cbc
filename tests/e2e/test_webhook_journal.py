"""Journal rows across webhook replicas: a live replica's rows are left alone, a dead one's are
taken over after their lease, and a partner's updates run in update_id order across replicas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
import orjson
from sqlalchemy import select, update

from bot.app import App
from bot.roles.web import SECRET_HEADER
from storage.models import InboxUpdate, utcnow
from tests.conftest import MakeApp
from tests.e2e.test_webhook import SECRET, WEBHOOK, message_update, replica
from tests.fakebot import FakeTelegram, SimUser


async def _journal_as(app: App, update: dict[str, Any], owner: str, lease: timedelta) -> None:
    """A row another replica journaled (and holds until ``lease`` from now)."""
    uid = int(update["update_id"])
    async with app.services.sessionmaker() as s:
        s.add(
            InboxUpdate(
                update_id=uid,
                payload=orjson.dumps(update).decode(),
                received_at=utcnow(),
                claimed_by=owner,
                lease_until=utcnow() + lease,
                ordering_key=int(update["message"]["from"]["id"]),
            )
        )
        await s.commit()


async def _row(app: App, uid: int) -> InboxUpdate | None:
    async with app.services.sessionmaker() as s:
        return await s.scalar(select(InboxUpdate).where(InboxUpdate.update_id == uid))


async def test_a_dead_replicas_update_is_taken_over_after_its_lease(
    tg: FakeTelegram, make_app: MakeApp, make_user: Any
) -> None:
    user: SimUser = make_user(7_800_001)
    app = await make_app(**WEBHOOK)
    await _journal_as(
        app, message_update(9_100_001, user.user_id, "/help"), "replica-b", timedelta(minutes=5)
    )
    await app.receiver.run_sweep_once()  # type: ignore[attr-defined]
    row = await _row(app, 9_100_001)
    assert row is not None and row.claimed_by == "replica-b" and row.processed_at is None  # b is alive
    async with app.services.sessionmaker() as s:  # b died: its lease runs out
        await s.execute(update(InboxUpdate).values(lease_until=utcnow() - timedelta(seconds=1)))
        await s.commit()
    await app.receiver.run_sweep_once()  # type: ignore[attr-defined]
    await user.wait_text("/survey", timeout=10)
    row = await _row(app, 9_100_001)
    assert row is not None and row.processed_at is not None and row.claimed_by != "replica-b"


async def test_a_partners_later_update_waits_for_the_earlier_one_on_another_replica(
    tg: FakeTelegram, make_app: MakeApp, make_user: Any
) -> None:
    user: SimUser = make_user(7_800_002)
    app = await make_app(**WEBHOOK)
    first = message_update(9_200_001, user.user_id, "/help")
    await _journal_as(app, first, "replica-b", timedelta(minutes=5))  # b is handling it
    async with aiohttp.ClientSession() as http:
        second = message_update(9_200_002, user.user_id, "/help")
        async with http.post(replica(app) + "/tg/hook", json=second, headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 200
    # b finishes the first one (as its handler's commit would).
    async with app.services.sessionmaker() as s:
        await s.execute(
            update(InboxUpdate).where(InboxUpdate.update_id == 9_200_001).values(processed_at=utcnow())
        )
        await s.commit()
    await user.wait_text("/survey", timeout=10)
    first_row, second_row = await _row(app, 9_200_001), await _row(app, 9_200_002)
    assert first_row is not None and second_row is not None
    assert first_row.processed_at is not None and second_row.processed_at is not None
    assert second_row.processed_at > first_row.processed_at

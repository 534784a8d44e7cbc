"""A webhook replica restarted on the same host after kill -9 takes back the updates its previous
process had acknowledged, at once (not after their lease): a live replica's rows stay its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import select

from bot.app import App
from storage.models import InboxUpdate, utcnow
from tests.conftest import MakeApp
from tests.e2e.test_webhook import WEBHOOK, message_update
from tests.fakebot import FakeTelegram, SimUser


def _dead_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def _journal_as(app: App, update: dict[str, Any], owner: str) -> None:
    """A row acknowledged by ``owner``, leased for minutes (as a replica killed mid-handling leaves it)."""
    async with app.services.sessionmaker() as s:
        s.add(
            InboxUpdate(
                update_id=int(update["update_id"]),
                payload=orjson.dumps(update).decode(),
                received_at=utcnow(),
                claimed_by=owner,
                lease_until=utcnow() + timedelta(minutes=5),
                ordering_key=int(update["message"]["from"]["id"]),
            )
        )
        await s.commit()


async def _row(app: App, uid: int) -> InboxUpdate | None:
    async with app.services.sessionmaker() as s:
        return await s.scalar(select(InboxUpdate).where(InboxUpdate.update_id == uid))


async def test_restarted_replica_takes_back_its_dead_processes_updates_at_once(
    tg: FakeTelegram, make_app: MakeApp, make_user: Any, stop_app: Any
) -> None:
    host = socket.gethostname()
    killed = make_user(7_900_001)
    live = make_user(7_900_002)
    elsewhere = make_user(7_900_003)
    first = await make_app(**WEBHOOK)
    await _journal_as(
        first, message_update(9_200_001, killed.user_id, "/help"), f"{host}:{_dead_pid()}:0a0b0c"
    )
    # Another replica on this host, still running (our parent process), and one on another host.
    await _journal_as(
        first, message_update(9_200_002, live.user_id, "/help"), f"{host}:{os.getppid()}:1a1b1c"
    )
    await _journal_as(first, message_update(9_200_003, elsewhere.user_id, "/help"), "other-host:1:2a2b2c")
    await stop_app(first)

    restarted = await make_app(**WEBHOOK)  # the first sweep runs before the app counts as started
    user: SimUser = killed
    await user.wait_text("/survey", timeout=10)
    row = await _row(restarted, 9_200_001)
    assert row is not None and row.processed_at is not None
    for uid, owner_prefix in ((9_200_002, f"{host}:{os.getppid()}:"), (9_200_003, "other-host:")):
        kept = await _row(restarted, uid)
        assert (
            kept is not None
            and kept.processed_at is None
            and (kept.claimed_by or "").startswith(owner_prefix)
        )
    assert not live.messages() and not elsewhere.messages()

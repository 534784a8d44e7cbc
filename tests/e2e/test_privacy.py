"""/forget_me leaves nothing personal behind, anywhere in the database (issue 12 item 10).

After a partner with a name and username answered with a comment and talked to a manager
through an alert, erasure must remove their name, username, comment and both relayed texts from
every table (the update journal and FSM keys included) and, on SQLite, from the file itself
(after a checkpoint, with secure_delete on, no free page keeps the old bytes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from bot.app import App
from scheduler.maintenance_jobs import journal_prune_job
from storage.models import FsmRecord, InboxUpdate, utcnow
from storage.repo.privacy import JOURNAL_RETENTION
from tests.e2e.test_alerts import PARTNER_ID, _detractor_survey, manager
from tests.fakebot import FakeTelegram, SimUser

pytestmark = pytest.mark.asyncio

NAME, USERNAME = "Zoryana", "zoryana_secret_nick"
COMMENT = "Secret comment about payouts QWERTY-UIOP"
TO_PARTNER = "Manager reply ZXCVB-NMLKJ"
FROM_PARTNER = "Partner answer ASDFG-HJKLP"
SECRETS = (NAME, USERNAME, COMMENT, TO_PARTNER, FROM_PARTNER)


async def _all_handled(app: App) -> None:
    """Wait until every journaled update is handled."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline:
        async with app.services.sessionmaker() as s:
            pending = select(InboxUpdate.update_id).where(InboxUpdate.processed_at.is_(None))
            left = (await s.scalars(pending)).all()
        if not left:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"updates not handled: {left}")


async def _table_dump(app: App) -> dict[str, str]:
    """Every table as one text: all its rows, all their columns."""
    async with app.services.sessionmaker() as s:
        conn = await s.connection()
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        dump = {}
        for table in tables:
            rows = (await s.execute(text(f'SELECT * FROM "{table}"'))).all()  # names from the schema
            dump[table] = "\n".join(repr(tuple(r)) for r in rows)
    return dump


async def _checkpoint(app: App) -> None:
    """Move the WAL into the database file (SQLite only) and truncate it."""
    if app.services.sessionmaker.kw["bind"].dialect.name != "sqlite":
        return
    async with app.services.sessionmaker() as s:
        await s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


async def _talk_then_forget(app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]) -> SimUser:
    partner = make_user(PARTNER_ID, first_name=NAME, username=USERNAME)
    mgr = manager(tg)
    await _detractor_survey(partner, comment=COMMENT)
    await mgr.wait_text("Критик: 2/10")
    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение")
    await mgr.send_text(TO_PARTNER)
    await partner.wait_text(TO_PARTNER)
    await partner.send_text(FROM_PARTNER)
    await mgr.wait_text(FROM_PARTNER)
    await partner.wait_text("Передали команде")
    await _checkpoint(app)  # as SQLite's auto-checkpoint would: the data is in the main file now
    await partner.send_text("/forget_me")
    await tg.wait_until(lambda: "Да, удалить мои данные" in partner.buttons(), 5)
    await partner.press("Да, удалить мои данные")
    await partner.wait_text("Ваши данные удалены")
    return partner


async def test_erasure_leaves_no_personal_data(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser], db_url: str
) -> None:
    await _talk_then_forget(app, tg, make_user)
    await _all_handled(app)
    dump = await _table_dump(app)
    found = {secret: [t for t, content in dump.items() if secret in content] for secret in SECRETS}
    assert not any(found.values()), found
    async with app.services.sessionmaker() as s:
        keys = (await s.scalars(select(FsmRecord.key))).all()
    assert not [k for k in keys if str(PARTNER_ID) in k.split(":")[1:]], keys

    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return
    await _checkpoint(app)
    path = Path(url.database or "")
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    for secret in SECRETS:
        assert secret.encode() not in raw, f"{secret!r} still in the database file"


async def test_journal_is_pruned_after_its_retention(app: App, make_user: Callable[..., SimUser]) -> None:
    partner = make_user(PARTNER_ID + 1)
    await partner.send_text("/help")
    await partner.wait_reply()
    await _all_handled(app)
    async with app.services.sessionmaker() as s:
        before = len((await s.scalars(select(InboxUpdate.update_id))).all())
    assert before >= 1
    assert await journal_prune_job(now=utcnow()) == 0  # handled just now: kept for now
    assert await journal_prune_job(now=utcnow() + JOURNAL_RETENTION + timedelta(minutes=1)) == before
    async with app.services.sessionmaker() as s:
        assert (await s.scalars(select(InboxUpdate.update_id))).all() == []

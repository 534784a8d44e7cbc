"""Migrations build the schema the models describe and upgrade live databases without loss.

Runs on the suite's backend (SQLite files, or PostgreSQL with ``TEST_DATABASE_URL``).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, func, insert, inspect, select, table, text
from sqlalchemy.engine import Connection

from bot.cli import _upgrade
from storage.analytics.drivers import driver_stats
from storage.db import create_engine, create_sessionmaker
from storage.migrate import (
    HEAD_REVISION,
    alembic_config,
    at_head,
    downgrade,
    script_heads,
    upgrade,
    upgrade_async,
)
from storage.models import (
    Alert,
    AlertMessage,
    Announcement,
    Base,
    Campaign,
    Delivery,
    Partner,
    Response,
    ResponseDriver,
)
from tests.dbs import sqlite_only

ROOT = Path(__file__).resolve().parents[1]
BIG_USER = 6_123_456_789  # real user ids are past 2**31 now
SUPERGROUP = -1001234567890  # supergroup and channel ids
BIG_MESSAGE = 3_000_000_123
# (table, column) pairs 0002 widens; the test below checks they hold 64-bit values.
WIDENED = {
    ("campaigns", "created_by"),
    ("campaigns", "progress_chat_id"),
    ("campaigns", "progress_message_id"),
    ("responses", "question_message_id"),
    ("deliveries", "message_id"),
    ("alerts", "message_id"),
}


def _diff(conn: Connection) -> list[Any]:
    return list(
        compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    )


def _column_types(conn: Connection) -> dict[tuple[str, str], str]:
    insp = inspect(conn)
    return {
        (table, col["name"]): str(col["type"]).upper()
        for table, _ in WIDENED
        for col in insp.get_columns(table)
        if (table, col["name"]) in WIDENED
    }


async def _run_sync(url: str, fn: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


async def _seed(url: str) -> None:
    """One row in every table, the way 0001 could hold them (32-bit ids)."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as s:
            # Core, naming the columns 0001 had: both models have gained some since (0015).
            when = datetime(2026, 1, 1)
            old_campaign = {
                "title": "Q3", "kind": "manual", "status": "running", "force": False, "created_at": when,
                "created_by": 42, "progress_chat_id": -4242, "progress_message_id": 7,
            }  # fmt: skip
            old_campaigns = table("campaigns", column("id"), *(column(n) for n in old_campaign))
            campaign_id = await s.scalar(
                insert(old_campaigns).values(**old_campaign).returning(old_campaigns.c.id)
            )
            old_partner = {
                "external_id": "P-1", "telegram_id": 1001, "name": "Иван", "segment": "gold",
                "opted_out": False, "created_at": when, "updated_at": when,
            }  # fmt: skip
            old_partners = table("partners", column("id"), *(column(n) for n in old_partner))
            partner_id = await s.scalar(
                insert(old_partners).values(**old_partner).returning(old_partners.c.id)
            )
            # Core, naming the columns 0001 had: the model has gained some since (0007).
            old_responses = table(
                "responses",
                *(
                    column(name)
                    for name in (
                        "id",
                        "campaign_id",
                        "partner_id",
                        "score",
                        "comment",
                        "stage",
                        "question_message_id",
                        "answered_at",
                        "updated_at",
                    )
                ),
            )
            response_id = await s.scalar(
                insert(old_responses)
                .values(
                    campaign_id=campaign_id,
                    partner_id=partner_id,
                    score=3,
                    comment="медленно",
                    stage="done",
                    question_message_id=11,
                    answered_at=datetime(2026, 1, 1),
                    updated_at=datetime(2026, 1, 1),
                )
                .returning(old_responses.c.id)
            )
            # The columns of the schema at hand: campaign_id came in 0011 (filled from the response).
            names = await s.run_sync(
                lambda sync: {c["name"] for c in inspect(sync.connection()).get_columns("response_drivers")}
            )
            area = {"response_id": response_id, "area": "payouts", "campaign_id": campaign_id}
            area = {k: v for k, v in area.items() if k in names}
            await s.execute(insert(table("response_drivers", *(column(k) for k in area))).values(**area))
            alert = Alert(response_id=response_id, chat_id=-4242, message_id=12)
            s.add(alert)
            await s.flush()
            s.add(AlertMessage(alert_id=alert.id, direction="to_partner", sender_id=42, text="hi"))
            s.add(Announcement(campaign_id=campaign_id, text="done", created_by=42))
            # Core, naming the columns 0001 had: the model has gained columns since (0005).
            await s.execute(
                insert(Delivery.__table__).values(  # type: ignore[arg-type]
                    kind="invitation", campaign_id=campaign_id, partner_id=partner_id, message_id=13
                )
            )
            await s.commit()
    finally:
        await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as s:
            return {
                model.__tablename__: int(await s.scalar(select(func.count()).select_from(model)) or 0)
                for model in (
                    Campaign,
                    Partner,
                    Response,
                    ResponseDriver,
                    Alert,
                    AlertMessage,
                    Announcement,
                    Delivery,
                )
            }
    finally:
        await engine.dispose()


def test_exactly_one_head_and_one_line_of_history() -> None:
    heads = script_heads()
    assert len(heads) == 1, f"several heads, a merge or a down_revision fix is missing: {heads}"
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    history = [rev.revision for rev in script.walk_revisions()]
    assert history[-2:] == ["0002_bigint_ids", "0001"]
    assert all(len(script.get_revision(rev).nextrev) <= 1 for rev in history)  # no branches


def test_head_revision_names_the_scripts_head() -> None:
    """Start-up trusts HEAD_REVISION to skip Alembic: a new migration must change it too."""
    assert script_heads() == (HEAD_REVISION,), "set storage.migrate.HEAD_REVISION to the new head"


async def test_start_up_runs_alembic_only_for_a_database_not_at_the_head(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.migrate")
    assert not await at_head(db_url)  # a new database: no alembic_version yet
    await _upgrade(db_url, unless_at_head=True)
    assert await at_head(db_url)
    await asyncio.to_thread(downgrade, db_url, "0018")  # a database one release behind
    assert not await at_head(db_url)
    caplog.clear()
    await _upgrade(db_url, unless_at_head=True)
    assert [r.getMessage() for r in caplog.records] == [f"database migrated from 0018 to {HEAD_REVISION}"]
    assert await at_head(db_url)


async def test_upgrade_empty_database_matches_models(db_url: str) -> None:
    await upgrade_async(db_url)
    assert await _run_sync(db_url, _diff) == [], "models and migrations differ"
    tables = await _run_sync(db_url, lambda c: set(inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    assert set((await _run_sync(db_url, _column_types)).values()) == {"BIGINT"}


# Partial indexes: the models name only their columns (storage/models/response.py says why),
# and Alembic's comparison above does not look at a WHERE, so it is checked here.
PARTIAL = {
    "ix_responses_commented": "comment IS NOT NULL",
    "ix_responses_quotes": "comment IS NOT NULL",
    "ix_inbox_updates_held": "reply IS NOT NULL",
}


async def test_partial_indexes_keep_their_where(db_url: str) -> None:
    await upgrade_async(db_url)

    def definitions(conn: Connection) -> dict[str, str]:
        if conn.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes"
        return {name: sql for name, sql in conn.execute(text(query)) if name in PARTIAL}

    found = await _run_sync(db_url, definitions)
    for name, where in PARTIAL.items():
        spelled = " ".join(found[name].replace("(", " ").replace(")", " ").split()).upper()
        assert spelled.endswith(f"WHERE {where.upper()}"), (name, found[name])


@sqlite_only
async def test_sqlite_database_is_created_in_wal_mode(tmp_path: Any) -> None:
    path = tmp_path / "fresh" / "nps.db"  # the folder does not exist yet
    await upgrade_async(f"sqlite+aiosqlite:///{path}")
    journal = await _run_sync(
        f"sqlite+aiosqlite:///{path}", lambda c: c.exec_driver_sql("PRAGMA journal_mode").scalar()
    )
    assert journal == "wal"


async def test_upgrade_from_0001_keeps_rows_and_stores_64_bit_ids(db_url: str) -> None:
    await asyncio.to_thread(upgrade, db_url, "0001")
    await _seed(db_url)
    before = await _counts(db_url)
    assert set(before.values()) == {1}

    await upgrade_async(db_url)

    # On SQLite, batch mode rebuilds tables; nothing may cascade away while it does.
    assert await _counts(db_url) == before
    assert set((await _run_sync(db_url, _column_types)).values()) == {"BIGINT"}
    assert await _run_sync(db_url, _diff) == []

    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            campaign = await s.scalar(select(Campaign))
            response = await s.scalar(select(Response))
            alert = await s.scalar(select(Alert))
            delivery = await s.scalar(select(Delivery))
            assert campaign and response and alert and delivery
            assert (campaign.created_by, campaign.progress_chat_id) == (42, -4242)  # old values kept
            assert response.segment == "gold"  # 0014 filled the answer-time segment from the partner
            # 0011 gave the old area its response's campaign: the digest's area counts find it.
            assert await s.scalar(select(ResponseDriver.campaign_id)) == campaign.id
            assert [d.area for d in await driver_stats(s, campaign.id, 1)] == ["payouts"]
            campaign.created_by = BIG_USER
            campaign.progress_chat_id = SUPERGROUP
            campaign.progress_message_id = BIG_MESSAGE
            response.question_message_id = BIG_MESSAGE
            alert.chat_id, alert.message_id = SUPERGROUP, BIG_MESSAGE
            delivery.message_id = BIG_MESSAGE
            s.add(Campaign(title="new", created_by=BIG_USER, progress_chat_id=SUPERGROUP))
            await s.commit()
        async with create_sessionmaker(engine)() as s:
            rows = (
                await s.execute(
                    select(
                        Campaign.created_by, Campaign.progress_chat_id, Campaign.progress_message_id
                    ).order_by(Campaign.id)
                )
            ).all()
            assert [tuple(r) for r in rows] == [
                (BIG_USER, SUPERGROUP, BIG_MESSAGE),
                (BIG_USER, SUPERGROUP, None),
            ]
            assert await s.scalar(select(Response.question_message_id)) == BIG_MESSAGE
            assert tuple((await s.execute(select(Alert.chat_id, Alert.message_id))).one()) == (
                SUPERGROUP,
                BIG_MESSAGE,
            )
            assert await s.scalar(select(Delivery.message_id)) == BIG_MESSAGE
            # Filtering by a 64-bit id works too (the admin's campaigns, the alert's chat).
            assert await s.scalar(select(func.count()).where(Campaign.created_by == BIG_USER)) == 2
    finally:
        await engine.dispose()


async def test_downgrade_then_upgrade_again(db_url: str) -> None:
    await upgrade_async(db_url)
    await _seed(db_url)
    await asyncio.to_thread(downgrade, db_url, "0001")
    assert set((await _run_sync(db_url, _column_types)).values()) == {"INTEGER"}
    assert set((await _counts(db_url)).values()) == {1}
    await upgrade_async(db_url)
    assert set((await _run_sync(db_url, _column_types)).values()) == {"BIGINT"}
    assert set((await _counts(db_url)).values()) == {1}
    version = await _run_sync(
        db_url, lambda c: c.execute(text("SELECT version_num FROM alembic_version")).all()
    )
    assert tuple(v for (v,) in version) == script_heads()


async def test_upgrade_twice_is_harmless_and_quiet(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await upgrade_async(db_url)
    first = [r.getMessage() for r in caplog.records]
    caplog.clear()
    await upgrade_async(db_url)
    # One line of ours when the schema changed, none of Alembic's, nothing when it did not.
    assert first == [f"database migrated from empty to {script_heads()[0]}"]
    assert [r.getMessage() for r in caplog.records] == []


async def test_replicas_upgrading_at_once_all_start(db_url: str) -> None:
    """Three processes starting together on an empty database: none fails, the schema is at head."""
    code = "import sys; from storage.migrate import upgrade; upgrade(sys.argv[1])"
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, db_url, cwd=ROOT, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    results = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
    assert [p.returncode for p in procs] == [0, 0, 0], [err.decode()[-500:] for _, err in results]
    assert await _run_sync(db_url, _diff) == []
    version = await _run_sync(
        db_url, lambda c: c.execute(text("SELECT version_num FROM alembic_version")).all()
    )
    assert tuple(v for (v,) in version) == script_heads()

"""Alembic environment: runs migrations over the project's async engine."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from alembic import context
from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from storage.db import create_engine, is_sqlite
from storage.models import Base

config = context.config
target_metadata = Base.metadata
log = logging.getLogger("storage.migrate")
MIGRATION_LOCK = 7_305_912_001  # any constant, the same in every process of this app


def _foreign_keys_off(dbapi_conn: Any, _record: Any) -> None:
    # Batch mode rebuilds a SQLite table by copy, drop and rename. With foreign keys on, dropping
    # a referenced table (campaigns) would cascade and delete every row that points at it, so
    # they are off while migrating (a fresh connection has no transaction open, so the pragma
    # takes effect) and checked once at the end instead.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = OFF")
    cur.close()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER
        compare_type=True,
        transaction_per_migration=False,
    )
    if connection.dialect.name == "postgresql":
        # Replicas starting together (web x N, workers) all upgrade at start: the first takes this
        # lock and migrates, the others wait and then find the schema at head. Released at commit.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    migration = context.get_context()
    before = migration.get_current_heads()
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    after = migration.get_current_heads()
    if after != before:  # one line when something changed (Alembic's own INFO lines are muted)
        log.info("database migrated from %s to %s", ",".join(before) or "empty", ",".join(after) or "base")


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = create_engine(url)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(_run_async())

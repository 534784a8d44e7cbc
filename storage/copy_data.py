"""Copy every table of one install's database into another (SQLite -> PostgreSQL when a program
outgrows SQLite): ``nps-bot copy-data --to postgresql+asyncpg://...``.

- The target is migrated first (and the source brought to the same head), so both have the
  same tables; tables are copied parents first (foreign keys), each in batches of ``batch`` rows
  read in primary-key order.
- Idempotent: every row is inserted with ``ON CONFLICT DO NOTHING``, so a copy cut short (killed,
  connection lost) is completed by running it again; rows already there are skipped.
- Then PostgreSQL's sequences are moved past the copied ids (else the next insert collides),
  and every table's row count is compared: a target holding rows the source does not have (it
  was not empty) is reported, not hidden.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Integer, Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from storage import upsert
from storage.models import Base

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True)
class TableCopy:
    """What one table looked like after the copy."""

    name: str
    source_rows: int
    target_rows: int
    inserted: int

    @property
    def ok(self) -> bool:
        """Same count on both sides."""
        return self.source_rows == self.target_rows


class CopyRefused(Exception):
    """The copy cannot start (same database, unsupported target); the message says why."""


def _same_database(a: str, b: str) -> bool:
    ua, ub = make_url(a), make_url(b)
    return (ua.get_backend_name(), ua.host, ua.port, ua.database) == (
        ub.get_backend_name(),
        ub.host,
        ub.port,
        ub.database,
    )


async def _count(conn: AsyncConnection, table: Table) -> int:
    return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def _copy_table(src: AsyncConnection, dst: AsyncConnection, table: Table, batch: int) -> int:
    insert = upsert.insert_for(dst.dialect.name, table).on_conflict_do_nothing()
    before = await _count(dst, table)
    result = await src.stream(select(table).order_by(*table.primary_key.columns))
    keys = list(result.keys())
    async for rows in result.partitions(batch):
        values = [dict(zip(keys, row, strict=True)) for row in rows]
        await dst.execute(insert, values)
        await dst.commit()  # each batch durable: a rerun resumes after it
    return await _count(dst, table) - before


async def _fix_sequences(dst: AsyncConnection, tables: list[Table]) -> None:
    """Move each serial primary key's sequence past the copied ids (PostgreSQL)."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or pk[0].autoincrement is False:
            continue
        found = text("SELECT pg_get_serial_sequence(:t, :c)")
        sequence = await dst.scalar(found, {"t": table.name, "c": pk[0].name})
        if sequence is None:
            continue
        quote = dst.dialect.identifier_preparer.quote
        highest = f"(SELECT MAX({quote(pk[0].name)}) FROM {quote(table.name)})"  # our own names
        setval = text(f"SELECT setval(:s, COALESCE({highest}, 1), {highest} IS NOT NULL)")
        await dst.execute(setval, {"s": sequence})
    await dst.commit()


async def copy_database(
    source_url: str,
    target_url: str,
    *,
    batch: int = BATCH,
    progress: Callable[[str], None] = lambda line: None,
) -> list[TableCopy]:
    """Migrate the target, copy every table into it, fix sequences, compare counts."""
    from storage.migrate import upgrade_async

    if _same_database(source_url, target_url):
        raise CopyRefused("the target is the current database (DATABASE_URL); name another one")
    if make_url(target_url).get_backend_name() != "postgresql":
        raise CopyRefused("the target must be a PostgreSQL URL (postgresql+asyncpg://user:pass@host:5432/db)")
    await upgrade_async(source_url)
    await upgrade_async(target_url)
    source = create_async_engine(source_url, poolclass=NullPool)
    target = create_async_engine(target_url, poolclass=NullPool)
    tables = list(Base.metadata.sorted_tables)
    results: list[TableCopy] = []
    inserted: dict[str, int] = {}
    try:
        async with source.connect() as src, target.connect() as dst:
            for table in tables:
                inserted[table.name] = await _copy_table(src, dst, table, batch)
                progress(f"{table.name}: {inserted[table.name]} new rows")
            await _fix_sequences(dst, tables)
            for table in tables:
                counts = await _count(src, table), await _count(dst, table)
                results.append(TableCopy(table.name, *counts, inserted[table.name]))
            await dst.commit()
    finally:
        await source.dispose()
        await target.dispose()
    return results

"""The digest benchmark's data: one generator of rows, written to SQLite or to PostgreSQL.

Both databases get the same rows (same seed, same shape): partners, 8 quarterly campaigns,
an invitation per partner and campaign, ~83% of them answered, some with areas and comments.
The schema comes from the Alembic migrations; the rows go in raw (ORM objects would take
minutes): ``executemany`` on sqlite3, ``COPY`` (asyncpg ``copy_records_to_table``) on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from storage.areas import AREAS

SEGMENTS = ("blogger", "webmaster", "arbitrage", "agency", "cashback", "influencer", "media")
TIERS = ("bronze", "silver", "gold", "platinum")
GEOS = ("RU", "KZ", "BY", "UZ", "DE", "US", "TR", "BR", "IN", "ID", "AM", "GE")
# Rare segments/geos so the folding of small groups has something to do.
RARE = ("cpa-network", "app-dev")

PHRASES: dict[str, tuple[str, ...]] = {
    "support": ("поддержка отвечает медленно", "support is slow to answer", "менеджер не отвечает неделю"),
    "commission": ("низкая ставка комиссии", "commission rates are too low", "повысьте процент"),
    "marketing": ("нужны новые баннеры", "promo materials are outdated", "мало креативов"),
    "portal": ("личный кабинет тормозит", "the dashboard is confusing", "статистика обновляется долго"),
    "payouts": ("выплаты задерживают", "payouts are late again", "долго ждать вывода денег"),
    "communication": ("редко пишут о новостях", "no updates from the team", "хорошая рассылка"),
    "training": ("нет обучения для новичков", "webinars were helpful", "мало гайдов"),
    "other": ("всё отлично, спасибо", "great program overall", "в целом нормально"),
}

# Indexes the analytics rely on; created here if the migrations do not have them yet, so the
# figures are those of the intended schema (IF NOT EXISTS and partial indexes: both databases).
PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_responses_campaign_partner_score"
    " ON responses (campaign_id, partner_id, score)",
    "CREATE INDEX IF NOT EXISTS ix_responses_commented"
    " ON responses (campaign_id, answered_at) WHERE comment IS NOT NULL",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "partners": (
        "id", "external_id", "telegram_id", "username", "name", "segment", "tier", "geo",
        "monthly_revenue", "created_at", "updated_at", "opted_out",
    ),
    "campaigns": (
        "id", "title", "kind", "status", "force", "period_key", "created_at", "launched_at", "closed_at",
    ),
    "deliveries": ("kind", "campaign_id", "partner_id", "ref", "status", "attempts", "created_at"),
    "responses": (
        "id", "campaign_id", "partner_id", "score", "comment", "stage", "answered_at", "updated_at",
        "completed_at",
    ),
    "response_drivers": ("response_id", "area", "campaign_id"),
}  # fmt: skip
Batch = tuple[str, list[tuple[Any, ...]]]


def _naive(value: datetime) -> datetime:
    """How the UTC columns store time (storage.models.base.UTCDateTime): naive UTC."""
    return value.astimezone(UTC).replace(tzinfo=None)


def _score(rng: random.Random, quarter: int) -> int:
    # Loyalty drifts up over the quarters so the trend has a shape.
    bias = quarter * 0.15
    return max(0, min(10, round(rng.gauss(7.2 + bias, 2.3))))


def rows(*, responses: int, campaigns: int, min_partners: int, now: datetime) -> Iterator[Batch]:
    """(table, rows) batches in insert order; columns as in :data:`COLUMNS`, times naive UTC.

    UNIQUE(campaign_id, partner_id, round) caps responses at partners x campaigns: the partner
    count is max(min_partners, responses / campaigns x 1.2), everyone invited."""
    rng = random.Random(42)
    per_campaign = responses // campaigns
    n_partners = max(min_partners, int(per_campaign * 1.2))
    created = _naive(now - timedelta(days=800))
    partners = []
    for pid in range(1, n_partners + 1):
        segment = RARE[pid % 2] if pid % 5000 == 0 else rng.choice(SEGMENTS)
        revenue = Decimal(str(round(rng.lognormvariate(8, 1.2), 2))) if rng.random() < 0.7 else None
        partners.append(
            (pid, f"ext-{pid}", 10_000_000 + pid, f"user{pid}", f"Partner {pid}", segment,
             rng.choice(TIERS), rng.choice(GEOS), revenue, created, created, False)
        )  # fmt: skip
    yield "partners", partners
    del partners
    response_id = 0
    for q in range(campaigns):
        cid = q + 1
        # Quarterly rounds; the last one started 10 days ago and is still running, so the
        # weekly digest has a week of fresh answers to report.
        launched = now - timedelta(days=10 + 91 * (campaigns - 1 - q))
        closed = launched + timedelta(days=14)
        window = min(14 * 86400, int((now - launched).total_seconds()))
        status = "closed" if q < campaigns - 1 else "running"
        yield "campaigns", [
            (cid, f"Q{q + 1}", "quarterly", status, False, f"BQ{cid}", _naive(launched), _naive(launched),
             _naive(closed) if status == "closed" else None)
        ]  # fmt: skip
        deliveries = []
        for pid in range(1, n_partners + 1):
            r = rng.random()
            st = "sent" if r < 0.95 else ("blocked" if r < 0.98 else "failed")
            deliveries.append(("invitation", cid, pid, 0, st, 0, _naive(launched)))
        yield "deliveries", deliveries
        del deliveries
        answers: list[tuple[Any, ...]] = []
        drivers: list[tuple[Any, ...]] = []
        for pid in rng.sample(range(1, n_partners + 1), per_campaign):
            response_id += 1
            score = _score(rng, q)
            at = launched + timedelta(seconds=rng.randrange(window))
            chosen = rng.sample(AREAS, rng.choice((1, 1, 2, 3))) if rng.random() < 0.45 else []
            comment = None
            if rng.random() < 0.25:
                picks = chosen or [rng.choice(AREAS)]
                comment = "; ".join(rng.choice(PHRASES[a]) for a in picks)
            done = _naive(at + timedelta(seconds=40))
            answers.append((response_id, cid, pid, score, comment, "done", _naive(at), done, done))
            drivers.extend((response_id, a, cid) for a in chosen)
        yield "responses", answers
        yield "response_drivers", drivers
        print(f"  campaign {cid}: {len(answers):,} responses, {len(drivers):,} drivers", flush=True)


def _insert_sql(table: str, mark: str) -> str:
    cols = COLUMNS[table]
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(mark for _ in cols)})"


def fill_sqlite_once(db: Path, **shape: Any) -> None:
    """Fill ``db`` unless it exists; through a ``.partial`` file, so a stopped fill is redone."""
    if db.exists():
        return
    print(f"Filling {db} ...", flush=True)
    started = time.perf_counter()
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    fill_sqlite(partial, **shape)
    partial.rename(db)
    print(f"  filled in {time.perf_counter() - started:.1f} s")


def fill_sqlite(path: Path, **shape: Any) -> None:
    """Migrate a new SQLite file and fill it with ``executemany``."""
    from storage.migrate import upgrade

    upgrade(f"sqlite+aiosqlite:///{path}")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    for table, batch in rows(**shape):
        # sqlite3's datetime adapter writes "YYYY-MM-DD HH:MM:SS.ffffff", as SQLAlchemy does.
        fixed = [tuple(_sqlite_value(v) for v in row) for row in batch]
        con.executemany(_insert_sql(table, "?"), fixed)
        if table == "response_drivers":
            con.commit()
    for ddl in PROPOSED_INDEXES:
        con.execute(ddl)
    con.execute("ANALYZE")
    con.commit()
    con.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return float(value)
    return value


async def fill_postgres(url: str, **shape: Any) -> None:
    """Migrate a new PostgreSQL database and fill it with COPY, then set the id sequences."""
    import asyncpg

    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, url)
    parsed = make_url(url)
    con = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        for table, batch in rows(**shape):
            await con.copy_records_to_table(table, records=batch, columns=list(COLUMNS[table]))
        for table in ("partners", "campaigns", "deliveries", "responses"):
            # COPY with explicit ids leaves the sequences at 1: the bot could not insert after.
            await con.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        for ddl in PROPOSED_INDEXES:
            await con.execute(ddl)
        await con.execute("VACUUM ANALYZE")  # statistics and the visibility map, as autovacuum would
    finally:
        await con.close()


async def to_head(url: str) -> bool:
    """Migrate a cached database to the latest schema; ANALYZE when that changed anything.

    The figures are then those of the current indexes (a kept database may predate a migration),
    with statistics as after a fill. Returns whether the schema changed.
    """
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.migrate import upgrade_async

    async def version() -> str | None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.scalar(text("SELECT version_num FROM alembic_version"))
        finally:
            await engine.dispose()

    before = await version()
    await upgrade_async(url)
    if await version() == before:
        return False
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return True

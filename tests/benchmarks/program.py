"""A realistic partner program with planted effects, and the benchmark of its KPI figures.

``generate()`` makes partners of several types and segments, monthly KPIs, quarterly campaigns
and their answers, with two effects planted: a respondent's churn after a campaign depends on
their category (detractors churn ``churn_multiple`` times as often as promoters), and the
promoters who stay grow their revenue by ``promoter_growth`` a month. ``load()`` puts it in a
database through the product's own import operations (partners and KPIs) and raw inserts
(campaigns and answers, as the survey would leave them).

``python -m tests.benchmarks.program --partners 50000 --months 36`` prints the KPI import time
and the retention query time for one campaign, on SQLite (a temp file) or on PostgreSQL
(``--database`` or ``TEST_DATABASE_URL``: a fresh database, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Campaign, Partner, Response
from storage.models import campaign as c
from storage.models.response import STAGE_DONE
from storage.repo.kpi_import import shift

# partner type: (weight, typical monthly revenue)
TYPES = {
    "webmaster": (40, 800),
    "blogger": (25, 400),
    "arbitrage": (15, 3000),
    "agency": (10, 9000),
    "cashback": (10, 1500),
}
TIERS = ("bronze", "silver", "gold")
GEOS = ("RU", "KZ", "BY", "UZ", "DE", "TR")
NICHES = ("finance", "ecommerce", "gaming", "travel", "edtech")
MANAGERS = ("kate_m", "ivan_pm", "olga_am", "100200300")
TZ = "Europe/Moscow"


@dataclass
class Program:
    """Everything generated: CSV-like partner and KPI rows, campaigns and answers."""

    months: list[str]
    partners: list[dict[str, Any]] = field(default_factory=list)
    kpis: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[tuple[str, datetime]] = field(default_factory=list)  # (title, launched_at UTC)
    answers: list[tuple[int, str, int]] = field(default_factory=list)  # (campaign index, external_id, score)
    promoter_churn: float = 0.0
    churn_multiple: float = 0.0
    promoter_growth: float = 0.0


def _first_tuesday_11(month: str, tz: ZoneInfo) -> datetime:
    day = date(int(month[:4]), int(month[5:7]), 1)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 11, tzinfo=tz).astimezone(UTC)


def _category(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def generate(
    partners: int = 1000,
    months: int = 24,
    *,
    end: str = "2026-11",
    seed: int = 7,
    promoter_churn: float = 0.08,
    churn_multiple: float = 3.0,
    passive_churn: float = 0.14,
    promoter_growth: float = 0.03,
    response_rate: float = 0.45,
) -> Program:
    """A program over ``months`` months ending with ``end`` (see module docstring)."""
    rnd = random.Random(seed)
    tz = ZoneInfo(TZ)
    span = [shift(end, -i) for i in reversed(range(months))]
    program = Program(
        span, promoter_churn=promoter_churn, churn_multiple=churn_multiple, promoter_growth=promoter_growth
    )
    churn = {
        "promoter": promoter_churn,
        "passive": passive_churn,
        "detractor": promoter_churn * churn_multiple,
    }
    # Quarterly campaigns with three months of history before them.
    for i, month in enumerate(span):
        if i >= 3 and int(month[5:7]) in (1, 4, 7, 10):
            program.campaigns.append(
                (f"Q{(int(month[5:7]) - 1) // 3 + 1} {month[:4]}", _first_tuesday_11(month, tz))
            )

    campaign_at = {_month_of(t, tz): k for k, (_title, t) in enumerate(program.campaigns)}
    names = list(TYPES)
    weights = [TYPES[n][0] for n in names]
    for p in range(partners):
        kind = rnd.choices(names, weights)[0]
        base = TYPES[kind][1] * rnd.lognormvariate(0, 0.6)
        segment = "gold" if base > 3000 else "silver" if base > 900 else "bronze"
        start = 0 if rnd.random() < 0.8 else rnd.randrange(1, max(2, months // 2))
        ext = f"PP-{p:06d}"
        program.partners.append(
            {
                "external_id": ext,
                "name": f"Partner {p}",
                "segment": segment,
                "tier": rnd.choice(TIERS),
                "geo": rnd.choice(GEOS),
                "niche": rnd.choice(NICHES),
                "manager": rnd.choice(MANAGERS),
                "joined_at": f"{span[start]}-{rnd.randint(1, 28):02d}",
                "type": kind,
            }
        )
        revenue = base
        churned_from: int | None = None
        growth = 0.0
        for i in range(start, months):
            month = span[i]
            k = campaign_at.get(month)
            if k is not None and churned_from is None and rnd.random() < response_rate:
                score = _score(rnd)
                program.answers.append((k, ext, score))
                category = _category(score)
                if rnd.random() < churn[category]:
                    churned_from = i + 1
                elif category == "promoter":
                    growth = promoter_growth
            program.kpis.append(
                _month_row(rnd, ext, month, revenue, churned_from is not None and i >= churned_from)
            )
            revenue *= 1 + growth + rnd.uniform(-0.02, 0.02)
            if churned_from is None and k is None and rnd.random() < 0.004:
                churned_from = i + 1  # some leave without being asked
    return program


def _month_of(when: datetime, tz: ZoneInfo) -> str:
    local = when.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def _score(rnd: random.Random) -> int:
    roll = rnd.random()
    if roll < 0.45:
        return rnd.choice((9, 10))
    if roll < 0.70:
        return rnd.choice((7, 8))
    return rnd.randint(0, 6)


def _month_row(rnd: random.Random, ext: str, month: str, revenue: float, gone: bool) -> dict[str, Any]:
    if gone:
        status = "churned" if rnd.random() < 0.7 else None  # no status: no conversions, no revenue
        return {
            "external_id": ext,
            "period": month,
            "revenue": "0.00",
            "payout": "0.00",
            "conversions": 0,
            "clicks": rnd.randint(0, 5),
            "status": status,
        }
    amount = Decimal(str(round(revenue, 2))).quantize(Decimal("0.01"))
    paused = rnd.random() < 0.03
    if paused:
        amount = Decimal("0.00")
    status = "paused" if paused else ("active" if rnd.random() < 0.8 else None)
    conversions = 0 if paused else max(1, int(revenue // 50))
    return {
        "external_id": ext,
        "period": month,
        "revenue": str(amount),
        "payout": str((amount * Decimal("0.3")).quantize(Decimal("0.01"))),
        "conversions": conversions,
        "clicks": conversions * rnd.randint(10, 40),
        "status": status,
    }


# --- expected figures, computed from the generated rows alone (no SQL) ---------------------------


def active(row: dict[str, Any]) -> bool:
    """The issue's rule for an active month."""
    if row["status"] is not None:
        return bool(row["status"] == "active")
    return int(row["conversions"]) > 0 or Decimal(row["revenue"]) > 0


def expected_retention(program: Program, k: int) -> dict[str, Any]:
    """Campaign ``k``'s retention table by the issue's definitions, from the program's rows."""
    tz = ZoneInfo(TZ)
    m = _month_of(program.campaigns[k][1], tz)
    before = {shift(m, -i) for i in (1, 2, 3)}
    after = {shift(m, i) for i in (1, 2, 3)}
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in program.kpis:
        rows.setdefault(row["external_id"], []).append(row)
    cats: dict[str, dict[str, Any]] = {
        name: {
            "partners": 0,
            "retained": 0,
            "before": Decimal(0),
            "after": Decimal(0),
            "lifetime": Decimal(0),
        }
        for name in ("promoter", "passive", "detractor")
    }
    for kk, ext, score in program.answers:
        if kk != k or ext not in rows:
            continue
        cat = cats[_category(score)]
        mine = rows[ext]
        cat["partners"] += 1
        cat["retained"] += any(active(r) for r in mine if r["period"] in after)
        cat["before"] += sum(Decimal(r["revenue"]) for r in mine if r["period"] in before)
        cat["after"] += sum(Decimal(r["revenue"]) for r in mine if r["period"] in after)
        cat["lifetime"] += sum(Decimal(r["revenue"]) for r in mine)
    available = {r["period"] for r in program.kpis} & after
    return {"month": m, "window_complete": shift(m, 3) in available, "categories": cats}


# --- loading ---------------------------------------------------------------------------------------


def kpi_csv(program: Program) -> bytes:
    """The KPIs as the CSV an admin would send (comma-separated, UTF-8)."""
    lines = ["external_id,period,revenue,payout,conversions,clicks,status"]
    for r in program.kpis:
        lines.append(
            f"{r['external_id']},{r['period']},{r['revenue']},{r['payout']},{r['conversions']},"
            f"{r['clicks']},{r['status'] or ''}"
        )
    return ("\n".join(lines) + "\n").encode()


def partner_csv(program: Program) -> bytes:
    """The partners as a CSV."""
    cols = ("external_id", "name", "segment", "tier", "geo", "niche", "manager", "joined_at")
    lines = [",".join(cols)] + [",".join(str(p[c]) for c in cols) for p in program.partners]
    return ("\n".join(lines) + "\n").encode()


async def load_answers(sessions: async_sessionmaker[AsyncSession], program: Program) -> list[int]:
    """Campaigns (closed) and their answers, as the survey leaves them; the campaigns' ids."""
    async with sessions() as session:
        ids = []
        for title, launched in program.campaigns:
            campaign = Campaign(
                title=title,
                kind=c.QUARTERLY,
                status=c.CLOSED,
                created_at=launched,
                launched_at=launched,
                closed_at=launched + timedelta(days=14),
            )
            session.add(campaign)
            await session.flush()
            ids.append(campaign.id)
        partner = {
            str(e): (i, s, t, g, n, m)
            for e, i, s, t, g, n, m in await session.execute(
                select(
                    Partner.external_id,
                    Partner.id,
                    Partner.segment,
                    Partner.tier,
                    Partner.geo,
                    Partner.niche,
                    Partner.manager,
                )
            )
        }
        rows = []
        for k, ext, score in program.answers:
            pid, segment, tier, geo, niche, manager = partner[ext]
            at = program.campaigns[k][1] + timedelta(days=1)
            rows.append(
                {
                    "campaign_id": ids[k],
                    "partner_id": pid,
                    "round": 0,
                    "score": score,
                    "stage": STAGE_DONE,
                    "answered_at": at,
                    "updated_at": at,
                    "completed_at": at,
                    "segment": segment,
                    "tier": tier,
                    "geo": geo,
                    "niche": niche,
                    "manager": manager,
                }
            )
        for i in range(0, len(rows), 5000):
            await session.execute(insert(Response), rows[i : i + 5000])
        await session.commit()
    return ids


async def load(sessions: async_sessionmaker[AsyncSession], program: Program, today: date) -> dict[str, float]:
    """Partners and KPIs through the import operations, then answers; seconds each took."""
    from storage.repo import imports

    timings = {}
    t0 = time.perf_counter()
    kind, report = await imports.import_csv(sessions, partner_csv(program), today)
    assert kind == imports.PARTNERS and report.fatal is None and not report.rejected, report
    timings["partners"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = await imports.import_metrics_csv(sessions, kpi_csv(program), today)
    assert report.fatal is None and not report.rejected, report.rejected[:3]
    timings["kpis"] = time.perf_counter() - t0
    await load_answers(sessions, program)
    return timings


# --- the benchmark -----------------------------------------------------------------------------------


async def _bench(args: argparse.Namespace) -> None:
    from storage.analytics.retention import retention
    from storage.db import create_engine, create_sessionmaker
    from storage.migrate import upgrade_async
    from tests.benchmarks import pgdb

    t0 = time.perf_counter()
    program = generate(args.partners, args.months)
    print(
        f"generated {len(program.partners):,} partners, {len(program.kpis):,} KPI rows, "
        f"{len(program.campaigns)} campaigns, {len(program.answers):,} answers"
        f" in {time.perf_counter() - t0:.1f} s"
    )
    server = args.database or os.environ.get("TEST_DATABASE_URL") or None
    name = None
    with tempfile.TemporaryDirectory() as tmp:
        if pgdb.is_postgres(server):
            assert server is not None
            name = pgdb.fresh_name("program")
            url = await pgdb.create_database(server, name)
        else:
            url = f"sqlite+aiosqlite:///{tmp}/program.db"
        try:
            await upgrade_async(url)
            engine = create_engine(url)
            sessions = create_sessionmaker(engine)
            today = date(int(program.months[-1][:4]), int(program.months[-1][5:7]), 15)
            timings = await load(sessions, program, today)
            rows = len(program.kpis)
            print(f"[{engine.dialect.name}] partner import: {timings['partners']:.1f} s")
            print(
                f"[{engine.dialect.name}] KPI import: {rows:,} rows in {timings['kpis']:.1f} s "
                f"({rows / timings['kpis']:,.0f} rows/s)"
            )
            if engine.dialect.name == "postgresql":
                # What autovacuum does after a bulk load: planner statistics, and the visibility
                # map that lets index-only scans skip the heap.
                async with engine.connect() as conn:
                    conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await conn.execute(text("VACUUM ANALYZE"))
            async with sessions() as s:
                ids = list(await s.scalars(select(Campaign.id).order_by(Campaign.id)))
            target = ids[-2] if len(ids) > 1 else ids[-1]  # the latest with a complete window
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                async with sessions() as s:
                    result = await retention(s, target, ZoneInfo(TZ))
                times.append(time.perf_counter() - t0)
            assert result is not None
            parts = sum(cat.partners for cat in result.categories.values())
            print(
                f"[{engine.dialect.name}] retention query, campaign {target} ({parts:,} respondents): "
                f"median {statistics.median(times):.3f} s, best {min(times):.3f} s (target <= 0.5 s)"
            )
            await engine.dispose()
        finally:
            if name is not None and server is not None:
                await pgdb.drop_database(server, name)


def main() -> None:
    """Command line: see module docstring."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--partners", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--database", help="PostgreSQL server URL (default: TEST_DATABASE_URL, else SQLite)")
    asyncio.run(_bench(parser.parse_args()))


if __name__ == "__main__":
    main()

"""Benchmark: the full digest (text + chart) and a CSV export over a million responses.

Run: ``.venv/bin/python -m tests.benchmarks.digest [--keep] [--responses N] [--campaigns N]``

The database is filled with raw ``executemany`` on sqlite3 (ORM objects would take minutes),
in a temp dir; ``--keep`` caches it in ``$TMPDIR/partner-pulse-bench-<size>.sqlite`` so later
runs skip the fill. Each phase runs in its own subprocess so its peak memory is its own: the
figure printed is the child's peak resident set size (includes the interpreter and
imported libraries; read from /proc/self/status VmHWM), and wall time measured inside the
child around the phase only.

UNIQUE(campaign_id, partner_id) caps responses at partners × campaigns, so a million answers over
8 campaigns needs at least 125,000 partners: the partner count is max(--partners, responses /
campaigns · 1.2) (everyone invited, ~83% answer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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

FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite

# Indexes the analytics rely on, proposed for the initial migration (see the report). Created
# here if the migration does not have them yet, so the figures are those of the intended schema.
PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_responses_campaign_partner_score"
    " ON responses (campaign_id, partner_id, score)",
    "CREATE INDEX IF NOT EXISTS ix_responses_commented"
    " ON responses (campaign_id, answered_at) WHERE comment IS NOT NULL",
)


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime(FMT)


def _score(rng: random.Random, quarter: int) -> int:
    # Loyalty drifts up over the quarters so the trend has a shape.
    bias = quarter * 0.15
    return max(0, min(10, round(rng.gauss(7.2 + bias, 2.3))))


def fill(path: Path, *, responses: int, campaigns: int, min_partners: int, now: datetime) -> None:
    """Create the schema with migrations and fill it with raw inserts."""
    from storage.migrate import upgrade

    upgrade(f"sqlite+aiosqlite:///{path}")
    rng = random.Random(42)
    per_campaign = responses // campaigns
    n_partners = max(min_partners, int(per_campaign * 1.2))
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    created = _ts(now - timedelta(days=800))
    partners = []
    for pid in range(1, n_partners + 1):
        segment = RARE[pid % 2] if pid % 5000 == 0 else rng.choice(SEGMENTS)
        revenue = round(rng.lognormvariate(8, 1.2), 2) if rng.random() < 0.7 else None
        partners.append(
            (
                pid,
                f"ext-{pid}",
                10_000_000 + pid,
                f"user{pid}",
                f"Partner {pid}",
                segment,
                rng.choice(TIERS),
                rng.choice(GEOS),
                revenue,
                created,
                created,
            )
        )
    con.executemany(
        "INSERT INTO partners (id, external_id, telegram_id, username, name, segment, tier, geo,"
        " monthly_revenue, created_at, updated_at, opted_out) VALUES (?,?,?,?,?,?,?,?,?,?,?,0)",
        partners,
    )
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
        con.execute(
            "INSERT INTO campaigns (id, title, kind, status, force, period_key, created_at, launched_at,"
            " closed_at) VALUES (?,?,?,?,0,?,?,?,?)",
            (
                cid,
                f"Q{q + 1}",
                "quarterly",
                status,
                f"BQ{cid}",
                _ts(launched),
                _ts(launched),
                _ts(closed) if status == "closed" else None,
            ),
        )
        deliveries = []
        for pid in range(1, n_partners + 1):
            r = rng.random()
            st = "sent" if r < 0.95 else ("blocked" if r < 0.98 else "failed")
            deliveries.append(("invitation", cid, pid, st, _ts(launched)))
        con.executemany(
            "INSERT INTO deliveries (kind, campaign_id, partner_id, ref, status, attempts, created_at)"
            " VALUES (?,?,?,0,?,0,?)",
            deliveries,
        )
        del deliveries
        rows: list[tuple[object, ...]] = []
        drivers: list[tuple[int, str]] = []
        for pid in rng.sample(range(1, n_partners + 1), per_campaign):
            response_id += 1
            score = _score(rng, q)
            at = launched + timedelta(seconds=rng.randrange(window))
            chosen = rng.sample(AREAS, rng.choice((1, 1, 2, 3))) if rng.random() < 0.45 else []
            comment = None
            if rng.random() < 0.25:
                picks = chosen or [rng.choice(AREAS)]
                comment = "; ".join(rng.choice(PHRASES[a]) for a in picks)
            done = _ts(at + timedelta(seconds=40))
            rows.append((response_id, cid, pid, score, comment, "done", _ts(at), done, done))
            drivers.extend((response_id, a) for a in chosen)
        con.executemany(
            "INSERT INTO responses (id, campaign_id, partner_id, score, comment, stage, answered_at,"
            " updated_at, completed_at) VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )
        con.executemany("INSERT INTO response_drivers (response_id, area) VALUES (?,?)", drivers)
        con.commit()
        print(f"  campaign {cid}: {len(rows):,} responses, {len(drivers):,} drivers", flush=True)
    for ddl in PROPOSED_INDEXES:
        con.execute(ddl)
    con.execute("ANALYZE")
    con.commit()
    con.close()


async def _digest_phase(url: str, now: datetime) -> dict[str, float]:
    from zoneinfo import ZoneInfo

    import bot.digest.chart  # noqa: F401  (matplotlib import is a one-off cost of the process)
    from bot.digest.build import DigestOptions, weekly_digest
    from bot.i18n import Translator
    from storage.analytics import themes
    from storage.db import create_engine, create_sessionmaker

    # What a running bot has already done before its first digest: pymorphy3 dictionaries loaded
    # by a classified comment, Fluent files parsed by the first translated message. The database
    # and the digest code paths themselves stay cold.
    themes.classify("поддержка отвечает медленно")
    engine = create_engine(url, inline=False)  # as the bot's report sessions (Services.reports)
    sessionmaker = create_sessionmaker(engine)
    translator = Translator("ru")
    translator.get("ru", "dg-no-answers")
    options = DigestOptions("ru", ZoneInfo("Europe/Moscow"), min_group_size=5, anonymous=False)
    # The first (cold) run is what a job sees: no warm-up of the database. CPU time counts every
    # thread of the process, so it shows the work done whatever else the machine is busy with.
    started, cpu = time.perf_counter(), time.process_time()
    digest = await weekly_digest(sessionmaker, translator, options, now=now)
    elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu
    # A second run: what later digests of the same bot process cost.
    again = time.perf_counter()
    await weekly_digest(sessionmaker, translator, options, now=now)
    warm = time.perf_counter() - again
    await engine.dispose()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu_used,
        "warm_seconds": warm,
        "messages": float(len(digest.parts)),
        "text_chars": float(sum(len(p) for p in digest.parts)),
        "png_bytes": float(len(digest.chart or b"")),
    }


async def _export_phase(url: str, out: str) -> dict[str, float]:
    from storage.db import create_engine, create_sessionmaker
    from storage.export import export_to_path

    engine = create_engine(url, inline=False)  # as /export and `nps-bot export`
    sessionmaker = create_sessionmaker(engine)
    started, cpu = time.perf_counter(), time.process_time()
    async with sessionmaker() as session:
        rows = await export_to_path(session, Path(out), campaign_id=None)
    elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu
    await engine.dispose()
    size = await asyncio.to_thread(os.path.getsize, out)
    return {"seconds": elapsed, "cpu_seconds": cpu_used, "rows": float(rows), "bytes": float(size)}


def _peak_rss_mb() -> float:
    """VmHWM: peak resident set of this process since exec.

    Not ``ru_maxrss``: on Linux that keeps the parent's peak across fork+exec, so a child of
    the (large) filling process would report the parent's memory.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # non-Linux fallback


def _child(phase: str, db: str, now: str) -> None:
    url = f"sqlite+aiosqlite:///{db}"
    at = datetime.fromisoformat(now)
    baseline = _peak_rss_mb()
    if phase == "digest":
        result = asyncio.run(_digest_phase(url, at))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(_export_phase(url, str(Path(tmp) / "all.csv")))
    result["peak_mb"] = _peak_rss_mb()
    result["baseline_mb"] = baseline
    print(json.dumps(result))


def _run_phase(phase: str, db: Path, now: datetime) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.digest",
            "--child",
            phase,
            "--db",
            str(db),
            "--now",
            now.isoformat(),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Parse arguments, fill (or reuse) the database, time each phase in a subprocess."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=8)
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="cache the database between runs")
    parser.add_argument("--only", choices=("digest", "export"), help="run one phase only")
    parser.add_argument("--child", choices=("digest", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.db, args.now)
        return
    # A fixed "now" keeps cached databases valid: the last campaign is always the running one.
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    name = f"partner-pulse-bench-{args.responses}-{args.campaigns}-{args.partners}.sqlite"
    tmpdir = None
    if args.keep:
        db = Path(tempfile.gettempdir()) / name
    else:
        tmpdir = tempfile.TemporaryDirectory()
        db = Path(tmpdir.name) / name
    try:
        if not db.exists():
            print(f"Filling {db} ...", flush=True)
            started = time.perf_counter()
            partial = db.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            fill(
                partial,
                responses=args.responses,
                campaigns=args.campaigns,
                min_partners=args.partners,
                now=now,
            )
            partial.rename(db)
            print(f"  filled in {time.perf_counter() - started:.1f} s")
        else:
            print(f"Reusing {db}")
        for phase in (args.only,) if args.only else ("digest", "export"):
            r = _run_phase(phase, db, now)
            timing = ("seconds", "cpu_seconds", "warm_seconds", "peak_mb", "baseline_mb")
            extra = {k: v for k, v in r.items() if k not in timing}
            warm = f", 2nd run {r['warm_seconds']:.3f} s" if "warm_seconds" in r else ""
            print(
                f"{phase:7s} {r['seconds']:7.3f} s wall (CPU {r['cpu_seconds']:.3f} s{warm})   "
                f"peak RSS {r['peak_mb']:6.1f} MB (at start {r['baseline_mb']:.1f} MB)   "
                + ", ".join(f"{k}={int(v):,}" for k, v in extra.items())
            )
        print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()


if __name__ == "__main__":
    main()

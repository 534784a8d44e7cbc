"""Benchmark: the full digest (text + chart) and a CSV export over a million responses.

Run: ``.venv/bin/python -m tests.benchmarks.digest [--keep] [--responses N] [--campaigns N]
[--database-url URL]``

The database is migrated, then filled with raw rows (``tests/benchmarks/digest_fill.py``:
``executemany`` on sqlite3, ``COPY`` on PostgreSQL; ORM objects would take minutes). On SQLite
it is a file in a temp dir; ``--keep`` caches it in ``$TMPDIR/partner-pulse-bench-<size>.sqlite``
so later runs skip the fill. With ``--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``
a new database is created on that server for the run and dropped after (``--keep``: kept as
``bench_digest_<size>`` and reused). A reused database is first migrated to the latest schema
(and ANALYZEd when that changed it). Each phase runs in its own subprocess so its peak memory is its own: the
figure printed is the child's peak resident set size (includes the interpreter and
imported libraries; read from /proc/self/status VmHWM), and wall time measured inside the
child around the phase only.

UNIQUE(campaign_id, partner_id, round) caps responses at partners × campaigns, so a million answers over
8 campaigns needs at least 125,000 partners: the partner count is max(--partners, responses /
campaigns · 1.2) (everyone invited, ~83% answer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.benchmarks import pgdb
from tests.benchmarks.digest_fill import fill_postgres, fill_sqlite_once, to_head


async def _digest_phase(url: str, now: datetime) -> dict[str, float]:
    from zoneinfo import ZoneInfo

    import bot.digest.chart  # noqa: F401  (matplotlib import is a one-off cost of the process)
    from bot.digest.build import DigestOptions, weekly_digest
    from bot.i18n import Translator
    from storage.analytics import themes
    from storage.db import create_engine, create_sessionmaker, open_pool

    # What a running bot has already done before its first digest: pymorphy3 dictionaries loaded
    # by a classified comment, Fluent files parsed by the first translated message, its pool of
    # PostgreSQL connections opened at start-up (App.run). The database and the digest code
    # paths themselves stay cold: no statement of the digest has run on those connections.
    themes.classify("поддержка отвечает медленно")
    engine = create_engine(url, reports=True)  # as the bot's report sessions (Services.reports)
    await open_pool(engine)
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

    engine = create_engine(url, reports=True)  # as /export and `nps-bot export`
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


def _child(phase: str, url: str, now: str) -> None:
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


def _run_phase(phase: str, url: str, now: datetime) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.digest",
            "--child",
            phase,
            "--url",
            url,
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
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to create the database on (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres);"
        " default: a SQLite file in the temp folder",
    )
    parser.add_argument("--only", choices=("digest", "export"), help="run one phase only")
    parser.add_argument("--child", choices=("digest", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.url, args.now)
        return
    # A fixed "now" keeps cached databases valid: the last campaign is always the running one.
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    shape = {
        "responses": args.responses,
        "campaigns": args.campaigns,
        "min_partners": args.partners,
        "now": now,
    }
    size = f"{args.responses}-{args.campaigns}-{args.partners}"
    if pgdb.is_postgres(args.database_url):
        _on_postgres(args.database_url, size, shape, args.only, keep=args.keep)
    else:
        _on_sqlite(size, shape, args.only, keep=args.keep)
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")


def _on_sqlite(size: str, shape: dict[str, Any], only: str | None, *, keep: bool) -> None:
    name = f"partner-pulse-bench-{size}.sqlite"
    tmpdir = None
    if keep:
        db = Path(tempfile.gettempdir()) / name
    else:
        tmpdir = tempfile.TemporaryDirectory()
        db = Path(tmpdir.name) / name
    try:
        if not db.exists():
            fill_sqlite_once(db, **shape)
        else:
            print(f"Reusing {db}")
            if asyncio.run(to_head(f"sqlite+aiosqlite:///{db}")):
                print("  migrated to the latest schema, statistics renewed")
        _phases(only, f"sqlite+aiosqlite:///{db}", shape["now"])
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()


def _on_postgres(server: str, size: str, shape: dict[str, Any], only: str | None, *, keep: bool) -> None:
    name = f"bench_digest_{size.replace('-', '_')}" if keep else pgdb.fresh_name("digest")
    url = pgdb.with_database(server, name)
    try:
        if not asyncio.run(_pg_exists(server, name)):
            print(f"Filling PostgreSQL database {name} ...", flush=True)
            started = time.perf_counter()
            asyncio.run(pgdb.create_database(server, name))
            try:
                asyncio.run(fill_postgres(url, **shape))
            except BaseException:
                asyncio.run(pgdb.drop_database(server, name))  # never reuse a half-filled one
                raise
            print(f"  filled in {time.perf_counter() - started:.1f} s")
        else:
            print(f"Reusing PostgreSQL database {name}")
            if asyncio.run(to_head(url)):
                print("  migrated to the latest schema, statistics renewed")
        _phases(only, url, shape["now"])
    finally:
        if not keep:
            asyncio.run(pgdb.drop_database(server, name))


async def _pg_exists(server: str, name: str) -> bool:
    engine = create_async_engine(server)
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    finally:
        await engine.dispose()
    return found is not None


def _phases(only: str | None, url: str, now: datetime) -> None:
    for phase in (only,) if only else ("digest", "export"):
        r = _run_phase(phase, url, now)
        timing = ("seconds", "cpu_seconds", "warm_seconds", "peak_mb", "baseline_mb")
        extra = {k: v for k, v in r.items() if k not in timing}
        warm = f", 2nd run {r['warm_seconds']:.3f} s" if "warm_seconds" in r else ""
        print(
            f"{phase:7s} {r['seconds']:7.3f} s wall (CPU {r['cpu_seconds']:.3f} s{warm})   "
            f"peak RSS {r['peak_mb']:6.1f} MB (at start {r['baseline_mb']:.1f} MB)   "
            + ", ".join(f"{k}={int(v):,}" for k, v in extra.items())
        )


if __name__ == "__main__":
    main()

"""Benchmark helper: each query of the weekly digest timed on its own, and the chart.

Run after ``tests.benchmarks.digest --keep`` has filled the database:
``.venv/bin/python -m tests.benchmarks.digest_queries [--database-url URL] [--repeat N]``
(default: the cached 1M-row SQLite file; with a PostgreSQL server URL, its cached
``bench_digest_<size>`` database). Each step runs ``--repeat`` times, one after the other on one
connection; the first figure is the cold one (nothing cached in this process). Wall time and this
process's CPU time (all threads: on SQLite that is the query's own work; on PostgreSQL the
server's work is not in it) are printed, CPU being the steadier figure on a loaded machine.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tests.benchmarks import pgdb

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # as tests.benchmarks.digest
Step = Callable[[AsyncSession], Awaitable[Any]]


async def _run(url: str, repeat: int) -> None:
    from bot.digest.build import chart_labels, chart_points
    from bot.digest.chart import render_chart
    from bot.i18n import Translator
    from storage.analytics import breakdown, comments, drivers, movement, nps, rates, report
    from storage.db import create_engine, create_sessionmaker
    from storage.repo.themes import theme_counts

    engine = create_engine(url, reports=True)
    sessions = create_sessionmaker(engine)
    tz = ZoneInfo("Europe/Moscow")
    frame = await report.campaign_frame(sessions, 8, tz)
    assert frame is not None and frame.previous is not None
    cid, prev = frame.campaign.id, frame.previous.id
    wanted = sorted(frame.wanted)
    steps: dict[str, Step] = {
        "activity": lambda s: report.activity(s, until=NOW, days=7),
        "current_campaign": report.current_campaign,
        "nps_by_campaign": lambda s: nps.nps_by_campaign(s, wanted),
        "latest_comments": lambda s: comments.latest_comments(s, cid),
        "theme_counts": lambda s: theme_counts(s, cid),
        "breakdown(segment, revenue)": lambda s: breakdown.breakdown(s, cid, "segment", 5),
        "breakdown(previous)": lambda s: breakdown.breakdown(s, prev, "segment", 5, with_revenue=False),
        "rates": lambda s: rates.rates(s, cid, 0),
        "driver_stats": lambda s: drivers.driver_stats(s, cid, 0),
        "movement": lambda s: movement.movement(s, cid, prev),
        "quotes(detractors)": lambda s: comments.quotes(s, cid, promoters=False),
        "quotes(promoters)": lambda s: comments.quotes(s, cid, promoters=True),
    }
    total = 0.0
    for name, step in steps.items():
        times = []
        async with sessions() as session:
            for _ in range(repeat):
                started, cpu = time.perf_counter(), time.process_time()
                await step(session)
                times.append((time.perf_counter() - started, time.process_time() - cpu))
        total += times[0][0]
        print(f"{name:30s} " + "  ".join(f"{t * 1000:6.1f} (CPU {c * 1000:5.1f})" for t, c in times) + " ms")
    texts = await _one(sessions, lambda s: comments.latest_comments(s, cid))
    counts = await _one(sessions, lambda s: theme_counts(s, cid))
    started = time.perf_counter()
    comments.summarize(counts, texts)
    print(f"{'summarize (phrases, CPU)':30s} {(time.perf_counter() - started) * 1000:7.1f} ms")
    full = await report.campaign_report(sessions, cid, tz=tz, min_group_size=5, dimensions=("segment",))
    assert full is not None
    labels = chart_labels(Translator("ru").bind("ru"))
    for i in range(repeat):
        started = time.perf_counter()
        render_chart(chart_points(full.campaign, full.nps, full.trend, tz), labels)
        print(f"{'render_chart #' + str(i + 1):30s} {(time.perf_counter() - started) * 1000:7.1f} ms")
    print(f"{'sum of the cold queries':30s} {total * 1000:7.1f} ms")
    await engine.dispose()


async def _one(sessions: Any, step: Step) -> Any:
    async with sessions() as session:
        return await step(session)


def main() -> None:
    """Time every step against the cached benchmark database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server of the cached bench_digest_* database")
    parser.add_argument("--size", default="1000000-8-20000", help="responses-campaigns-partners of the cache")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if pgdb.is_postgres(args.database_url):
        url = pgdb.with_database(args.database_url, f"bench_digest_{args.size.replace('-', '_')}")
    else:
        db = Path(tempfile.gettempdir()) / f"partner-pulse-bench-{args.size}.sqlite"
        url = f"sqlite+aiosqlite:///{db}"
    asyncio.run(_run(url, args.repeat))


if __name__ == "__main__":
    main()

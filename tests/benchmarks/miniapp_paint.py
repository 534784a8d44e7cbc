"""First paint of the managers' dashboard on the digest benchmark's database, in headless Chromium.

``python -m tests.benchmarks.miniapp_paint [--responses 1000000] [--keep]``: fills a SQLite file
with tests/benchmarks/digest_fill.py's rows (cached in the temp folder with ``--keep``), serves
the web app on 127.0.0.1 as ``nps-bot run`` would, opens /app/ as Telegram's client does (an
admin's signed initData) and prints the time from navigation to the NPS figure on screen: cold
(the first page of a fresh process) and warm. Target: at most 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from aiohttp.test_utils import TestServer

from tests.benchmarks.digest_fill import fill_sqlite_once, to_head
from tests.miniapp.signing import sign_init_data, user

TOKEN = "123456:BENCH-token-secret-abcdef"
ADMIN = 900_001
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the digest benchmark's "now"


async def _paint(url: str) -> list[float]:
    from playwright.async_api import async_playwright

    from bot.app import build_app
    from bot.config import Settings
    from bot.web.app import create_web_app

    # The Bot API is never reached: an admin needs no getChatMember.
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=TOKEN, database_url=url, admin_ids=str(ADMIN),
        telegram_api_url="http://127.0.0.1:9", public_url="http://127.0.0.1",
    )  # fmt: skip
    app = build_app(settings)
    server = TestServer(create_web_app(app.services), host="127.0.0.1")
    await server.start_server()
    init_data = sign_init_data(TOKEN, user(ADMIN, "ru"), int(time.time()))
    fragment = f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=android"
    times = []
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
            )
            for _ in range(2):
                page = await browser.new_page(viewport={"width": 360, "height": 740})
                started = time.perf_counter()
                await page.goto(f"{server.make_url('/app/')}#{fragment}")
                await page.locator("[data-testid=nps-value]").wait_for(timeout=30_000)
                times.append(time.perf_counter() - started)
                shown = await page.locator("[data-testid=nps-value]").inner_text()
                await page.close()
            await browser.close()
    finally:
        await server.close()
        await app.bot.session.close()
        await app.engine.dispose()
        if app.report_engine is not None:
            await app.report_engine.dispose()
    print(f"  NPS shown: {shown}")
    return times


def main() -> None:
    """Fill (or reuse) the database, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=8)
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="cache the database between runs")
    parser.add_argument("--db", type=Path, help="a SQLite file to use (filled when missing)")
    args = parser.parse_args()
    shape = {
        "responses": args.responses,
        "campaigns": args.campaigns,
        "min_partners": args.partners,
        "now": NOW,
    }
    folder = Path(tempfile.gettempdir()) if args.keep else Path(tempfile.mkdtemp())
    db = args.db or folder / f"partner-pulse-bench-{args.responses}-{args.campaigns}-{args.partners}.sqlite"
    url = f"sqlite+aiosqlite:///{db}"
    if db.exists():
        asyncio.run(to_head(url))
    else:
        fill_sqlite_once(db, **shape)
    cold, warm = asyncio.run(_paint(url))
    print(
        json.dumps(
            {
                "responses": args.responses,
                "first_paint_cold_s": round(cold, 3),
                "first_paint_warm_s": round(warm, 3),
            }
        )
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

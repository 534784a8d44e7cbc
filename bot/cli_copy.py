"""``nps-bot copy-data --to URL``: move an install to PostgreSQL (storage/copy_data.py)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parser is built for --help: nothing heavy at import
    from bot.config import CommonSettings

DESCRIPTION = """\
Copy every table of the current database (DATABASE_URL) into another, usually an empty
PostgreSQL database when a program outgrows SQLite. The target is migrated first; rows are
copied in batches, parents first; PostgreSQL's id sequences are fixed afterwards; every
table's row count is compared at the end. Stop the bot first. Safe to run again after an
interruption: rows already copied are skipped. Then point DATABASE_URL at the target.
"""


def add_parser(sub: Any, formatter: type[argparse.HelpFormatter], epilog: str) -> None:
    """The ``copy-data`` subcommand."""
    cmd = sub.add_parser(
        "copy-data",
        help="copy every table into another database (SQLite -> PostgreSQL)",
        description=DESCRIPTION,
        epilog=epilog,
        formatter_class=formatter,
    )
    cmd.add_argument(
        "--to", required=True, metavar="URL", help="target: postgresql+asyncpg://user:pass@host:5432/db"
    )
    cmd.add_argument("--batch", type=int, default=1000, help="rows per insert transaction (default 1000)")


async def copy_data_command(settings: CommonSettings, target: str, batch: int = 1000) -> int:
    """Run the copy and print one line per table; exit code 1 when a count differs."""
    from sqlalchemy.engine import make_url

    from bot.config import check_database_url
    from storage.copy_data import CopyRefused, copy_database

    try:
        check_database_url(target)
    except ValueError as exc:
        print(f"nps-bot: --to is invalid: {exc}", file=sys.stderr)
        return 2
    shown = make_url(target).render_as_string(hide_password=True)
    print(f"Copying {make_url(settings.database_url).render_as_string(hide_password=True)} -> {shown}")
    try:
        results = await copy_database(settings.database_url, target, batch=max(1, batch), progress=print)
    except CopyRefused as exc:
        print(f"nps-bot: {exc}", file=sys.stderr)
        return 2
    bad = [r for r in results if not r.ok]
    for r in bad:
        print(
            f"nps-bot: {r.name}: {r.source_rows} rows here but {r.target_rows} in the target", file=sys.stderr
        )
    if bad:
        print(
            "nps-bot: the target was not empty or changed meanwhile; check it before switching",
            file=sys.stderr,
        )
        return 1
    total = sum(r.source_rows for r in results)
    print(f"Done: {len(results)} tables, {total} rows, counts match. Now set DATABASE_URL={shown}")
    return 0

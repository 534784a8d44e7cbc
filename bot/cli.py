"""``nps-bot`` command line: run the bot, import partners, export answers, migrate.

Imports are lazy: ``nps-bot --help`` (and a configuration error) must answer at once, before
aiogram, SQLAlchemy or pandas-sized libraries are loaded.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import CommonSettings, Settings

log = logging.getLogger("nps-bot")

_ENV = "Settings come from the environment or a .env file in the current folder (see README)."

_IMPORT_HELP = """\
Import or update partners from a CSV file, matched by external_id (a re-import updates them).

Columns (header row, names case-insensitive, order free; only external_id is required):
  external_id, name, segment, tier, geo, niche, monthly_revenue, telegram_id, username, language
  monthly_revenue: a number (1234.50 or 1234,50); language: ru or en; username without @.
  An empty cell keeps the stored value; unknown columns are ignored and reported.
Encoding: UTF-8 (with or without BOM) or Windows-1251. Separator: "," or ";" (detected from
the header line). At most 5 MB. Invalid rows are listed with their line numbers; valid rows are
imported all the same.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nps-bot",
        description="partner-pulse: NPS surveys for partner programs in Telegram.",
        epilog=_ENV,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    raw = argparse.RawDescriptionHelpFormatter

    def command(name: str, short: str, long: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=short, description=long, epilog=_ENV, formatter_class=raw)

    command(
        "run",
        "apply migrations, then run everything in one process (the default)",
        "Apply database migrations, then run the whole bot in one process: receive updates (long\n"
        "polling, or a webhook when WEBHOOK_URL is set), the scheduler and the bulk sender.\n"
        "Needs BOT_TOKEN. Stops cleanly on SIGINT/SIGTERM.",
    )
    command(
        "web",
        "apply migrations, then receive updates by webhook and handle them",
        "Apply database migrations, then serve Telegram's webhook on WEB_HOST:WEB_PORT and handle\n"
        "the updates. Needs BOT_TOKEN, WEBHOOK_URL (the public https:// URL) and WEBHOOK_SECRET.\n"
        "Run one `worker` beside any number of `web` replicas (PostgreSQL).",
    )
    command(
        "worker",
        "apply migrations, then run the scheduler and the bulk sender",
        "Apply database migrations, then run the scheduled jobs (campaigns, reminders, digests,\n"
        "alerts) and the bulk sender; it receives no updates. Needs BOT_TOKEN.",
    )
    mig = command(
        "migrate",
        "apply database migrations and exit",
        "Bring the database at DATABASE_URL to the latest schema and exit (run, web and worker\n"
        "do this themselves at start-up). Does not need BOT_TOKEN.",
    )
    mig.add_argument("-v", "--verbose", action="store_true", help="show Alembic's own log lines")
    imp = command("import-partners", "import or update partners from a CSV file", _IMPORT_HELP)
    imp.add_argument("file", help="the CSV file (columns, encodings and separators above)")
    met = command(
        "import-metrics",
        "import or update partners' monthly KPIs from a CSV file",
        "Import partners' monthly KPIs from a CSV file, upserted by (external_id, period).\n\n"
        "Columns: external_id, period (YYYY-MM), revenue, payout, conversions, clicks, status.\n"
        'Encoding and separator as for import-partners (UTF-8 or Windows-1251; "," or ";").\n'
        "Does not need BOT_TOKEN.",
    )
    met.add_argument("file", help="the CSV file")
    exp = command(
        "export",
        "export answers to CSV or XLSX",
        "Write every answer (score, category, comment, areas, partner attributes, campaign) to a\n"
        "file; the format follows the extension. Does not need BOT_TOKEN.",
    )
    exp.add_argument("--out", required=True, help="output file: name ending in .csv or .xlsx")
    exp.add_argument("--campaign", type=int, default=None, help="only this campaign id (default: all)")
    exp.add_argument("--kpis", action="store_true", help="campaigns' retention table, not answers")
    thm = command(
        "themes",
        "comment themes: --reclassify re-runs the classifier",
        "Maintain the comment themes (the areas a comment is about).",
    )
    thm.add_argument("--reclassify", action="store_true", help="classify every stored comment again")
    from bot.cli_copy import add_parser as add_copy_parser

    add_copy_parser(sub, raw, _ENV)
    return parser


async def _run(settings: Settings, role: str = "run") -> None:
    from bot.app import build_app, run_forever

    await _upgrade(settings.database_url, unless_at_head=True)
    app = build_app(settings, role=role)
    # What start-up built lives as long as the process: frozen, full collections skip it, now
    # and again once the classifier is loaded (the problem measured: docs/internals.md, "The
    # garbage collector"). Tests run apps without this: a test process's heap is not theirs.
    gc.freeze()
    app.ready_hooks.append(gc.freeze)
    await run_forever(app)


async def _upgrade(url: str, verbose: bool = False, *, unless_at_head: bool = False) -> None:
    """Migrations, a database that cannot be reached or created turned into one line.

    ``unless_at_head``: a database already at the scripts' head is left alone without starting
    Alembic (the roles' start-up; ``nps-bot migrate`` always runs it)."""
    from sqlalchemy.exc import DBAPIError

    from bot.startup_errors import DatabaseUnavailable, database_line
    from storage.migrate import at_head, upgrade_async

    try:
        if unless_at_head and await at_head(url):
            return
        await upgrade_async(url, verbose=verbose)
    except (OSError, DBAPIError) as exc:
        raise DatabaseUnavailable(database_line(url, exc)) from None


async def _migrate(settings: CommonSettings, verbose: bool = False) -> None:
    await _upgrade(settings.database_url, verbose=verbose)


# Commands that never talk to Telegram: they run without BOT_TOKEN.
OFFLINE_COMMANDS = frozenset(
    {"migrate", "import-partners", "import-metrics", "export", "themes", "copy-data"}
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nps-bot`` script and ``python -m bot``."""
    from bot.logging_setup import install_redaction, setup_logging

    # Before anything can print: a traceback of any kind must not show the token.
    install_redaction([os.environ.get("BOT_TOKEN"), os.environ.get("API_TOKEN")])
    args = _parser().parse_args(argv)
    command = args.command or "run"

    from bot.config import Settings, SettingsError, load_common_settings, load_settings
    from bot.hooks import file as hooks_file
    from storage import areas

    try:
        settings = load_common_settings() if command in OFFLINE_COMMANDS else load_settings()
        areas.configure(settings.areas_file)  # a bad areas file stops start-up like bad settings
        if settings.hooks_file and command in ("run", "worker"):
            hooks_file.load(settings.hooks_file, allow_http=settings.hooks_allow_http)
    except (SettingsError, areas.AreasError, hooks_file.HooksFileError) as exc:
        print(f"nps-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    if command == "web" and settings.webhook_url is None:
        print(
            "nps-bot: configuration error: WEBHOOK_URL is not set: `nps-bot web` receives updates by "
            "webhook; set WEBHOOK_URL (the public https:// URL) and WEBHOOK_SECRET, or use `nps-bot run`",
            file=sys.stderr,
        )
        return 2
    token = settings.bot_token.get_secret_value() if isinstance(settings, Settings) else None
    setup_logging(token)
    if settings.api_token is not None:  # from .env too: never printed, whoever prints
        install_redaction([settings.api_token.get_secret_value()])
    if command in ("run", "web", "worker"):
        _import_app()
    return _guarded(command, args, settings)


def _import_app() -> None:
    """Import what the roles run (aiogram, SQLAlchemy, aiohttp) with the garbage collector off.

    aiogram builds ~600 pydantic models at import: with the collector on, its passes over the
    growing heap cost 0.4-0.6 s of CPU, and the first one after it (the heap left in the young
    generation) ~0.2 s more. The imported heap (modules, classes: alive for good) is then
    frozen, so no later pass walks it; ~2,000 objects of import-time garbage stay with it
    (docs/internals.md, "The garbage collector")."""
    gc.disable()
    try:
        import bot.app  # noqa: F401
    finally:
        gc.freeze()
        gc.enable()


def _guarded(command: str, args: argparse.Namespace, settings: CommonSettings) -> int:
    from bot.startup import StartupAborted, TokenRejected
    from bot.startup_errors import DatabaseUnavailable

    try:
        code = _dispatch(command, args, settings)
    except KeyboardInterrupt:
        code = 0
    except TokenRejected as exc:
        print(f"nps-bot: {exc}", file=sys.stderr)
        return 2
    except StartupAborted:
        code = 0  # SIGTERM before Telegram could be reached: a clean stop
    except DatabaseUnavailable as exc:
        print(f"nps-bot: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file we cannot read or write
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"nps-bot: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    if command in ("run", "web", "worker"):
        log.info("Stopped (%s)", command)
    return code


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run``, on uvloop where it is published (not on Windows)."""
    try:
        import uvloop
    except ImportError:
        import asyncio

        asyncio.run(main)
    else:
        uvloop.run(main)


def _dispatch(command: str, args: argparse.Namespace, settings: CommonSettings) -> int:
    import asyncio

    from bot.config import Settings

    if command in ("run", "web", "worker"):
        assert isinstance(settings, Settings)  # loaded with the token for these (see main)
        _run_loop(_run(settings, command))
    elif command == "migrate":
        asyncio.run(_migrate(settings, args.verbose))
    elif command == "import-partners":
        from bot.cli_import import import_partners_command

        return asyncio.run(import_partners_command(settings, args.file))
    elif command == "import-metrics":
        from bot.cli_import import import_metrics_command

        return asyncio.run(import_metrics_command(settings, args.file))
    elif command == "export":
        from bot.cli_export import export_command

        try:
            return asyncio.run(export_command(settings, args.out, args.campaign, kpis=args.kpis))
        except OSError as exc:
            print(f"nps-bot: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    elif command == "themes":
        from bot.cli_themes import themes_command

        return asyncio.run(themes_command(settings, reclassify=args.reclassify))
    elif command == "copy-data":
        from bot.cli_copy import copy_data_command

        return asyncio.run(copy_data_command(settings, args.to, args.batch))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

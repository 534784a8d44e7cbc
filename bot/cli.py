"""``nps-bot`` command line: run the bot, import partners, export answers, migrate."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from typing import Any

from bot.config import CommonSettings, Settings, SettingsError, load_common_settings, load_settings
from bot.hooks import file as hooks_file
from bot.startup import StartupAborted, TokenRejected
from storage import areas

log = logging.getLogger("nps-bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nps-bot", description="partner-pulse: NPS surveys in Telegram")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="apply migrations, then run everything in one process (the default)")
    sub.add_parser("web", help="apply migrations, then receive updates by webhook and handle them")
    sub.add_parser("worker", help="apply migrations, then run the scheduler and the bulk sender")
    mig = sub.add_parser("migrate", help="apply database migrations and exit")
    mig.add_argument("-v", "--verbose", action="store_true", help="show Alembic's own log lines")
    imp = sub.add_parser("import-partners", help="import or update partners from a CSV file")
    imp.add_argument("file")
    met = sub.add_parser("import-metrics", help="import or update partners' monthly KPIs from a CSV file")
    met.add_argument("file")
    exp = sub.add_parser("export", help="export answers to CSV or XLSX")
    exp.add_argument("--out", required=True, help="output file (.csv or .xlsx)")
    exp.add_argument("--campaign", type=int, default=None, help="only this campaign id")
    thm = sub.add_parser("themes", help="comment themes: --reclassify re-runs the classifier")
    thm.add_argument("--reclassify", action="store_true", help="classify every stored comment again")
    return parser


async def _run(settings: Settings, role: str = "run") -> None:
    from bot.app import build_app, run_forever
    from storage.migrate import upgrade_async

    await upgrade_async(settings.database_url)
    app = build_app(settings, role=role)
    await run_forever(app)


async def _migrate(settings: CommonSettings, verbose: bool = False) -> None:
    from storage.migrate import upgrade_async

    await upgrade_async(settings.database_url, verbose=verbose)


# Commands that never talk to Telegram: they run without BOT_TOKEN.
OFFLINE_COMMANDS = frozenset({"migrate", "import-partners", "import-metrics", "export", "themes"})


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nps-bot`` script and ``python -m bot``."""
    from bot.logging_setup import install_redaction, setup_logging

    # Before anything can print: a traceback of any kind must not show the token.
    install_redaction([os.environ.get("BOT_TOKEN"), os.environ.get("API_TOKEN")])
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_common_settings() if command in OFFLINE_COMMANDS else load_settings()
        areas.configure(settings.areas_file)  # a bad areas file stops start-up like bad settings
        if settings.hooks_file and command in ("run", "worker"):
            hooks_file.load(settings.hooks_file, allow_http=settings.hooks_allow_http)
    except (SettingsError, areas.AreasError, hooks_file.HooksFileError) as exc:
        print(f"nps-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    token = settings.bot_token.get_secret_value() if isinstance(settings, Settings) else None
    setup_logging(token)
    if settings.api_token is not None:  # from .env too: never printed, whoever prints
        install_redaction([settings.api_token.get_secret_value()])
    try:
        return _dispatch(command, args, settings)
    except KeyboardInterrupt:
        return 0
    except TokenRejected as exc:
        print(f"nps-bot: {exc}", file=sys.stderr)
        return 2
    except StartupAborted:
        return 0  # SIGTERM before Telegram could be reached: a clean stop
    except OSError as exc:  # a file we cannot read or write, a database we cannot reach
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"nps-bot: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run``, on uvloop where it is published (not on Windows)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def _dispatch(command: str, args: argparse.Namespace, settings: CommonSettings) -> int:
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
            return asyncio.run(export_command(settings, args.out, args.campaign))
        except OSError as exc:
            print(f"nps-bot: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    elif command == "themes":
        from bot.cli_themes import themes_command

        return asyncio.run(themes_command(settings, reclassify=args.reclassify))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Import front ends: ``nps-bot import-partners FILE``, ``nps-bot import-metrics FILE`` and the report
they, /import and the HTTP API show."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

from aiogram import html

from bot.config import CommonSettings
from bot.i18n import Translate, Translator
from storage.models import utcnow
from storage.repo import imports
from storage.repo.partner_import import MAX_BYTES, FatalImport, ImportReport, Rejected, import_partners
from storage.text import safe_row


def _plain(text: str) -> str:
    return text


def rejected_text(_: Translate, row: Rejected, quote: Callable[[str], str] = html.quote) -> str:
    """``line 7 (P-1): telegram_id «abc» is not a Telegram user id``."""
    reason = _(f"import-reason-{row.reason}", value=quote(row.value))
    ext = f" ({quote(row.external_id)})" if row.external_id else ""
    return _("import-rejected-line", line=str(row.line), id=ext, reason=reason)


def summary_text(_: Translate, report: ImportReport, quote: Callable[[str], str] = html.quote) -> str:
    """Counts (and ignored columns), or the fatal reason."""
    if report.fatal is not None:
        reason = _(f"import-fatal-{report.fatal.key}", detail=quote(report.fatal.detail))
        return _("import-fatal", reason=reason)
    text = _(
        "import-summary",
        created=str(report.created),
        updated=str(report.updated),
        unchanged=str(report.unchanged),
        rejected=str(len(report.rejected)),
    )
    if report.ignored_columns:
        text += "\n" + _("import-ignored-columns", columns=quote(", ".join(report.ignored_columns)))
    return text


def rejected_csv(_: Translate, report: ImportReport) -> bytes:
    """The rejected rows as a CSV (UTF-8 with BOM, so spreadsheet apps read Cyrillic right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "external_id", "reason"])
    for row in report.rejected:
        reason = _(f"import-reason-{row.reason}", value=row.value)
        writer.writerow(safe_row([row.line, row.external_id, reason]))
    return out.getvalue().encode("utf-8-sig")


def full_report(_: Translate, report: ImportReport, quote: Callable[[str], str] = html.quote) -> str:
    """Summary plus every rejected row."""
    lines = [summary_text(_, report, quote)]
    if report.rejected:
        lines.append(_("import-rejected-title"))
        lines.extend(rejected_text(_, r, quote) for r in report.rejected)
    return "\n".join(lines)


def _read(file: Path, limit: int) -> tuple[int, bytes]:
    """Size and bytes (none when over the limit: it is refused unread)."""
    size = file.stat().st_size
    return size, (b"" if size > limit else file.read_bytes())


async def import_partners_command(settings: CommonSettings, path: str) -> int:
    """Import partners from a CSV file; prints the report; exit code 0 ok, 1 fatal."""
    return await _import_command(settings, path, MAX_BYTES, imports.PARTNERS)


async def import_metrics_command(settings: CommonSettings, path: str) -> int:
    """Import monthly partner KPIs from a CSV file; prints the report; exit code 0 ok, 1 fatal."""
    return await _import_command(settings, path, imports.MAX_CSV_BYTES, imports.METRICS)


async def _import_command(settings: CommonSettings, path: str, limit: int, kind: str) -> int:
    from storage.db import create_engine, create_sessionmaker
    from storage.migrate import upgrade_async

    _ = Translator(settings.default_locale).bind(settings.default_locale)
    try:
        size, data = await asyncio.to_thread(_read, Path(path), limit)
    except OSError as exc:
        print(f"nps-bot: {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if size > limit:
        report = ImportReport(fatal=FatalImport("too-large", str(limit // (1024 * 1024))))
    else:
        await upgrade_async(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            sessions = create_sessionmaker(engine)
            if kind == imports.METRICS:
                day = imports.today(utcnow(), settings.tz)
                report = await imports.import_metrics_csv(sessions, data, day)
            else:
                report = await import_partners(sessions, data)
        finally:
            await engine.dispose()
    print(full_report(_, report, _plain))
    return 1 if report.fatal is not None else 0

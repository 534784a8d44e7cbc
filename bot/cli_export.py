"""``nps-bot export --out FILE [--campaign ID]``: the answers export from the shell; ``--kpis``:
every campaign's retention table (storage/export_kpis.py).

Same rows as /export in the bot (see :mod:`storage.export`); the format follows the extension.
The file is written next to the target and renamed into place when complete, so a failed run
never leaves a half-written export under the requested name.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import CommonSettings
from bot.i18n import Translator
from storage.analytics.campaigns import campaign_info
from storage.db import create_engine, create_sessionmaker
from storage.export import export_to_path, format_of
from storage.export_kpis import export_kpis_to_path
from storage.migrate import upgrade_async


async def export_command(
    settings: CommonSettings, out: str, campaign_id: int | None, *, kpis: bool = False
) -> int:
    """Export answers (or, with ``kpis``, every campaign's retention table); returns the process
    exit code (0 done, 1 unknown campaign, 2 bad file name)."""
    _ = Translator(settings.default_locale).bind(settings.default_locale)
    path = Path(out)
    try:
        kind = format_of(path)
    except ValueError:
        print(_("cli-export-bad-format", file=str(path)), file=sys.stderr)
        return 2
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url, inline=False)  # one long read
    partial = path.with_name(f".{path.name}.partial")
    try:
        async with create_sessionmaker(engine)() as session:
            if kpis:
                path.parent.mkdir(parents=True, exist_ok=True)
                campaigns = await export_kpis_to_path(session, partial, settings.tz, fmt=kind)
                partial.replace(path)
                print(_("cli-export-kpis-done", campaigns=str(campaigns), file=str(path)))
                return 0
            if campaign_id is not None and await campaign_info(session, campaign_id) is None:
                print(_("ex-unknown", id=str(campaign_id)), file=sys.stderr)
                return 1
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = await export_to_path(
                session,
                partial,
                campaign_id=campaign_id,
                fmt=kind,
                name_of=lambda key: _(f"area-{key}"),
                tz=settings.tz,
            )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
        await engine.dispose()
    print(_("cli-export-done", rows=rows, file=str(path)))
    return 0

"""The import operations every front end calls (/import, ``nps-bot import-*``, the HTTP API).

A CSV is a partner file, or a KPI file when its header has a ``period`` column. The rules live
in storage/repo/partner_import.py and storage/repo/kpi_import.py, one set for CSV and JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repo import kpi_import, partner_import
from storage.repo.partner_import import ImportReport

PARTNERS = "partners"
METRICS = "metrics"
MAX_CSV_BYTES = kpi_import.MAX_BYTES  # the larger of the two; a partner file is held to its own


def today(now: datetime, tz: ZoneInfo) -> date:
    """The current date in the program's time zone (periods are its calendar months)."""
    return now.astimezone(tz).date()


def kind_of_csv(data: bytes) -> str:
    """:data:`METRICS` when the header has a ``period`` column, else :data:`PARTNERS`."""
    return METRICS if kpi_import.has_period_column(data) else PARTNERS


async def import_csv(
    sessions: async_sessionmaker[AsyncSession], data: bytes, today_: date
) -> tuple[str, ImportReport]:
    """Import a partner or KPI CSV (whichever it is); the kind and what the import did."""
    if kind_of_csv(data) == METRICS:
        return METRICS, await kpi_import.import_kpis(sessions, data, today_)
    return PARTNERS, await partner_import.import_partners(sessions, data)


async def import_metrics_csv(
    sessions: async_sessionmaker[AsyncSession], data: bytes, today_: date
) -> ImportReport:
    """Import a KPI CSV (``nps-bot import-metrics``)."""
    return await kpi_import.import_kpis(sessions, data, today_)


async def import_partner_items(sessions: async_sessionmaker[AsyncSession], items: list[Any]) -> ImportReport:
    """Upsert a JSON array of partner objects by external_id."""
    return await partner_import.import_partner_items(sessions, items)


async def import_metric_items(
    sessions: async_sessionmaker[AsyncSession], items: list[Any], today_: date
) -> ImportReport:
    """Upsert a JSON array of monthly KPI objects by (external_id, period)."""
    return await kpi_import.import_kpi_items(sessions, items, today_)

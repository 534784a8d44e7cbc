"""The retention table of every campaign (``nps-bot export --kpis``, ``/export kpis``), CSV or XLSX.

One row per campaign and NPS category, with the columns of ``GET /api/v1/retention`` (money with
two decimals, rates rounded to 4 places); drafts and cancelled campaigns have no window and are
left out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.retention import CATEGORIES, Retention, rate, retention_of
from storage.export import format_of
from storage.models import Campaign
from storage.models import campaign as c
from storage.text import safe_cell

COLUMNS = (
    "campaign_id", "campaign", "month", "window_complete", "months_available", "category", "partners",
    "retained", "churned", "churn_rate", "revenue_before", "revenue_after", "arpu_before", "arpu_after",
    "lifetime_revenue", "detractor_vs_promoter_churn_difference", "significant",
)  # fmt: skip


async def retention_tables(session: AsyncSession, tz: ZoneInfo) -> list[tuple[str, Retention]]:
    """(title, retention table) of every launched campaign, oldest first."""
    campaigns = (
        await session.scalars(
            select(Campaign)
            .where(Campaign.launched_at.is_not(None), Campaign.status.not_in((c.DRAFT, c.CANCELLED)))
            .order_by(Campaign.launched_at, Campaign.id)
        )
    ).all()
    return [(campaign.title, await retention_of(session, campaign, tz)) for campaign in campaigns]


def rows_of(tables: list[tuple[str, Retention]]) -> Iterator[tuple[Any, ...]]:
    """Rows in :data:`COLUMNS` order."""
    for title, table in tables:
        for name in CATEGORIES:
            cat = table.categories[name]
            yield (
                table.campaign_id, safe_cell(title), table.month, table.window_complete,
                table.months_available, name, cat.partners, cat.retained, cat.churned, rate(cat.churn_rate),
                f"{cat.revenue_before:.2f}", f"{cat.revenue_after:.2f}", f"{cat.arpu_before:.2f}",
                f"{cat.arpu_after:.2f}", f"{cat.lifetime_revenue:.2f}", rate(table.churn_difference),
                table.significant,
            )  # fmt: skip


async def export_kpis_to_path(session: AsyncSession, path: Path, tz: ZoneInfo, fmt: str | None = None) -> int:
    """Write every campaign's retention table to ``path``; returns the number of campaigns."""
    kind = fmt or format_of(path)
    tables = await retention_tables(session, tz)
    if kind == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(rows_of(tables))
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("retention")
        sheet.append(list(COLUMNS))
        for row in rows_of(tables):
            sheet.append(list(row))
        workbook.save(path)
    return len(tables)

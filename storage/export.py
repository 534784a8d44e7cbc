"""Answers export as CSV (UTF-8 with BOM, so Excel shows Cyrillic) or XLSX.

Rows are streamed from the database in batches and written as they come, so memory stays flat
however many answers there are: drivers are joined into one cell by the database
(``aggregate_strings``: group_concat / string_agg), openpyxl runs in write-only mode.

* Columns are exactly :data:`COLUMNS`. ``segment``, ``tier``, ``geo``, ``niche`` and ``manager``
  are the partner's as they were when they answered (copied with the score); ``language`` and
  ``monthly_revenue`` are the partner's now; ``trailing_revenue_3m`` is the partner's revenue over
  the last 3 imported KPI months. ``drivers`` and ``themes`` hold area keys,
  ``driver_names`` and ``theme_names`` the same areas named in the reader's language.
* CSV: ``answered_at`` is ISO 8601 in UTC. XLSX: ``answered_at`` is a real date cell in
  ``TIMEZONE`` (the header names the zone), revenue a number; the header row is frozen, has a
  filter, and the columns are wide enough to read.
* Partners who asked to be forgotten appear without personal data (no external id, Telegram
  id or name; their comments were already removed when they were erased).
* Every text cell goes through :func:`storage.text.safe_cell`: characters XML forbids are dropped
  (an XLSX never fails on stored text) and cells starting with ``= + - @`` (or tab / carriage
  return) get a leading apostrophe, so a spreadsheet never runs partner-written text as a
  formula (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, func, literal, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.key_partners import last_months
from storage.analytics.retention import money
from storage.models import Campaign, Partner, PartnerKpi, Response, ResponseDriver, ResponseTheme, category_of
from storage.repo.themes import theme_columns
from storage.text import safe_cell

COLUMNS = (
    "campaign_id",
    "campaign",
    "partner_external_id",
    "telegram_id",
    "name",
    "segment",
    "tier",
    "score",
    "category",
    "comment",
    "drivers",
    "answered_at",
    "themes",
    "theme_confidence",
    "geo",
    "niche",
    "manager",
    "trailing_revenue_3m",
    "language",
    "monthly_revenue",
    "driver_names",
    "theme_names",
)
ANSWERED_AT = COLUMNS.index("answered_at")
REVENUE = COLUMNS.index("monthly_revenue")
# Readable XLSX column widths (characters); the rest get DEFAULT_WIDTH.
WIDTHS = {"campaign": 24, "name": 22, "comment": 60, "drivers": 22, "answered_at": 20, "themes": 26,
          "driver_names": 34, "theme_names": 34, "partner_external_id": 16}  # fmt: skip
DEFAULT_WIDTH = 12
NameOf = Callable[[str], str]
FORMATS = ("csv", "xlsx")
BATCH = 2000
DRIVER_SEPARATOR = ";"


def format_of(path: Path | str) -> str:
    """``csv`` or ``xlsx`` from a file name; ValueError for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"unsupported export format {suffix!r}: use .csv or .xlsx")
    return suffix


def iso_utc(moment: datetime | None) -> str:
    """``2026-11-23T09:00:00Z`` (seconds precision)."""
    if moment is None:
        return ""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def _query(campaign_id: int | None, months: tuple[str, ...]) -> Any:
    cents = type_coerce(PartnerKpi.revenue, BigInteger)
    trailing = (
        select(func.sum(cents))
        .where(PartnerKpi.partner_id == Response.partner_id, PartnerKpi.month.between(months[0], months[-1]))
        .scalar_subquery()
        if months
        else literal(None, BigInteger)
    )
    drivers = (
        select(func.aggregate_strings(ResponseDriver.area, DRIVER_SEPARATOR))
        .where(ResponseDriver.response_id == Response.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            Response.campaign_id,
            Campaign.title,
            Partner.external_id,
            Partner.telegram_id,
            Partner.name,
            Response.segment,
            Response.tier,
            Response.score,
            Response.comment,
            drivers,
            Response.answered_at,
            Partner.erased_at,
            ResponseTheme.areas,
            ResponseTheme.confidence,
            ResponseTheme.manual,
            Response.geo,
            Response.niche,
            Response.manager,
            trailing,
            Partner.language,
            Partner.monthly_revenue,
        )
        .select_from(Response)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Partner, Partner.id == Response.partner_id)
        .outerjoin(ResponseTheme, ResponseTheme.response_id == Response.id)
        # Storage order: a sequential scan, no sort (rows of one campaign stay in answer order).
        .order_by(Response.id)
    )
    if campaign_id is not None:
        stmt = stmt.where(Response.campaign_id == campaign_id)
    return stmt


def _names(keys: str | None, name_of: NameOf | None) -> str | None:
    """``support;payouts`` -> ``Support quality; Payout speed`` in the reader's language."""
    if not keys or name_of is None:
        return None
    return "; ".join(name_of(key) for key in keys.split(DRIVER_SEPARATOR) if key)


async def export_rows(
    session: AsyncSession, campaign_id: int | None = None, *, name_of: NameOf | None = None
) -> AsyncIterator[tuple[Any, ...]]:
    """Export rows in :data:`COLUMNS` order, streamed in batches, text cells already made safe.

    ``name_of`` names an area key in the reader's language (the names columns stay empty without)."""
    months = await last_months(session)
    result = await session.stream(_query(campaign_id, months).execution_options(yield_per=BATCH))
    async for batch in result.partitions(BATCH):
        for row in batch:
            (cid, title, external_id, telegram_id, name, segment, tier, score, comment, areas, at, erased) = (
                row[:12]
            )
            theme_cells = theme_columns(*row[12:15]) if comment is not None else (None, None)
            geo, niche, manager, trailing_cents, language, revenue = row[15:]
            theme_keys = (row[14] or row[12]) if comment is not None else None
            if erased is not None:
                external_id = telegram_id = name = comment = None
                revenue = None
            # Sorted here: the order of group_concat is not defined by SQL.
            drivers = DRIVER_SEPARATOR.join(sorted(areas.split(DRIVER_SEPARATOR))) if areas else None
            # Only free-text columns can start like a formula; ids, scores and dates cannot.
            yield (
                cid,
                safe_cell(title),
                safe_cell(external_id),
                telegram_id,
                safe_cell(name),
                safe_cell(segment),
                safe_cell(tier),
                score,
                category_of(score),
                safe_cell(comment),
                drivers,
                iso_utc(at),
                *theme_cells,
                safe_cell(geo),
                safe_cell(niche),
                safe_cell(manager),
                None if trailing_cents is None else f"{money(int(trailing_cents)):.2f}",
                language,
                revenue,
                _names(drivers, name_of),
                safe_cell(_names(theme_keys, name_of)),
            )


async def export_to_path(
    session: AsyncSession,
    path: Path,
    *,
    campaign_id: int | None = None,
    fmt: str | None = None,
    name_of: NameOf | None = None,
    tz: ZoneInfo | None = None,
) -> int:
    """Write the export to ``path`` (format from ``fmt`` or the extension); returns the row count.

    ``name_of`` fills the area-name columns; ``tz`` is the zone of the XLSX date cells (UTC without)."""
    kind = fmt or format_of(path)
    if kind == "csv":
        return await _write_csv(session, path, campaign_id, name_of)
    if kind == "xlsx":
        return await _write_xlsx(session, path, campaign_id, name_of, tz or ZoneInfo("UTC"))
    raise ValueError(f"unsupported export format {kind!r}")


async def _write_csv(
    session: AsyncSession, path: Path, campaign_id: int | None, name_of: NameOf | None
) -> int:
    count = 0
    # utf-8-sig writes the BOM Excel needs to read the file as UTF-8.
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        async for row in export_rows(session, campaign_id, name_of=name_of):
            writer.writerow(row)  # None is written as an empty cell
            count += 1
    return count


async def _write_xlsx(
    session: AsyncSession, path: Path, campaign_id: int | None, name_of: NameOf | None, tz: ZoneInfo
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("answers")
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS.get(column, DEFAULT_WIDTH)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=f"answered_at ({tz.key})" if column == "answered_at" else column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    async for row in export_rows(session, campaign_id, name_of=name_of):
        cells = list(row)
        at = cells[ANSWERED_AT]
        if at:
            # Excel has no time zones: a naive local time shown as a date, in TIMEZONE.
            moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone(tz)
            date_cell = WriteOnlyCell(sheet, value=moment.replace(tzinfo=None))
            date_cell.number_format = "yyyy-mm-dd hh:mm"
            cells[ANSWERED_AT] = date_cell
        if cells[REVENUE] is not None:
            cells[REVENUE] = Decimal(cells[REVENUE])
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    workbook.save(path)
    return count

"""Partner KPIs by month: one set of rules for the CSV (/import, ``nps-bot import-metrics``) and
the HTTP API's JSON array; upserted on (partner, month).

Rules, all checked before the first write, so a fatal problem changes nothing:
- fatal (CSV): what the partner import finds fatal (storage/repo/partner_import.py: encodings,
  separators, size, broken quoting), no ``external_id`` or no ``period`` column;
- columns ``external_id, period`` and any of ``revenue, payout, conversions, clicks, status``;
  an empty cell (a missing key or ``null`` in JSON) keeps the stored value;
- rejected rows, each with its line (CSV) or index (JSON) and reason: no external_id, an
  external_id no partner has (partners come first), a period that is not ``YYYY-MM`` or lies
  outside 2000-01 .. 12 months after the current month, money that is not a plain amount with a
  dot and at most two decimals (``1234.50``; a comma, a sign or a thousands separator is
  refused rather than guessed), conversions or clicks that are not whole numbers >= 0, a
  status other than active / paused / churned, the same (external_id, period) twice in one
  file (the first wins).

How it runs (500k rows in well under a minute while the bot keeps answering): parsing and
validation run in a worker thread; partner ids are looked up in chunks; the rows are then
written in batches of :data:`BATCH`, each a short transaction of its own (one read of the rows
it touches, one multi-row INSERT ... ON CONFLICT, one executemany UPDATE), yielding to other work
between batches. Each batch is idempotent: an import cut short is completed by sending the
same file again, and a repeated import reports every row unchanged and writes nothing.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Partner, PartnerKpi, utcnow
from storage.models.kpi import STATUSES
from storage.repo.partner_import import (
    FatalImport,
    ImportReport,
    Rejected,
    cells_of_item,
    decode,
    normalize_header,
    records,
)
from storage.tables import table_of
from storage.text import clean_text
from storage.upsert import per_dialect, pick

FIGURES = ("revenue", "payout", "conversions", "clicks", "status")
COLUMNS = ("external_id", "period", *FIGURES)
MAX_BYTES = 100 * 1024 * 1024  # 2M rows; Telegram hands bots files up to 20 MB anyway
FIRST_MONTH = "2000-01"
MONTHS_AHEAD = 12
MONEY = re.compile(r"\d{1,12}(\.\d{1,2})?")
WHOLE = re.compile(r"\d{1,18}")
PERIOD = re.compile(r"(\d{4})-(\d{2})")
INT_LIMITS = {"conversions": 2**31 - 1, "clicks": 2**63 - 1}
BATCH = 2000  # rows per write transaction: ~20-40 ms of SQLite's write lock
CHUNK = 500  # ids per IN (...) lookup

_K = table_of(PartnerKpi)
_UPSERT = per_dialect(
    lambda insert: (stmt := insert(_K)).on_conflict_do_update(
        index_elements=[_K.c.partner_id, _K.c.month],
        set_={name: stmt.excluded[name] for name in (*FIGURES, "updated_at")},
    )
)
_UPDATE = (
    update(_K)
    .where(_K.c.partner_id == bindparam("b_partner_id"), _K.c.month == bindparam("b_month"))
    .values({name: bindparam(name) for name in (*FIGURES, "updated_at")})
)


@dataclass(slots=True)
class KpiRow:
    """A validated row: the partner's external id, the month and the figures it gives."""

    line: int
    external_id: str
    month: str
    values: dict[str, Any]


def month_of(day: date, plus: int = 0) -> str:
    """``YYYY-MM`` of ``day``'s month, ``plus`` months later (or earlier when negative)."""
    index = day.year * 12 + day.month - 1 + plus
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift(month: str, plus: int) -> str:
    """``YYYY-MM`` ``plus`` months after ``month``."""
    year, mon = int(month[:4]), int(month[5:7])
    return month_of(date(year, mon, 1), plus)


def check_period(raw: str, today: date) -> str | None:
    """The normalised month, or None when it is malformed or out of range (see module doc)."""
    found = PERIOD.fullmatch(raw)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    month = raw
    return month if FIRST_MONTH <= month <= month_of(today, MONTHS_AHEAD) else None


def _money(raw: str) -> Decimal | None:
    if not MONEY.fullmatch(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern already rules it out
        return None


def _check(column: str, raw: str) -> tuple[Any, str | None]:
    """One cell's value, or (None, reason)."""
    if column in ("revenue", "payout"):
        money = _money(raw)
        return (money, None) if money is not None else (None, f"bad-kpi-{column}")
    if column in INT_LIMITS:
        if not WHOLE.fullmatch(raw) or int(raw) > INT_LIMITS[column]:
            return None, f"bad-{column}"
        return int(raw), None
    if column == "status":
        status = raw.lower()
        return (status, None) if status in STATUSES else (None, "bad-status")
    return raw, None


class _Checker:
    """Row by row validation shared by CSV and JSON."""

    def __init__(self, report: ImportReport, today: date) -> None:
        self.report = report
        self.today = today
        self.rows: list[KpiRow] = []
        self.seen: dict[tuple[str, str], int] = {}

    def add(self, line: int, raw: dict[str, str]) -> None:
        ext = raw.get("external_id", "")
        if not ext:
            self.report.rejected.append(Rejected(line, "", "missing-external-id"))
            return
        period = raw.get("period", "")
        month = check_period(period, self.today) if period else None
        if month is None:
            why = "bad-period" if period else "missing-period"
            self.report.rejected.append(Rejected(line, ext, why, period))
            return
        values: dict[str, Any] = {}
        for column in FIGURES:
            cell = raw.get(column)
            if cell is None:
                continue
            value, reason = _check(column, cell)
            if reason is not None:
                self.report.rejected.append(Rejected(line, ext, reason, cell))
                return
            values[column] = value
        first = self.seen.get((ext, month))
        if first is not None:
            self.report.rejected.append(Rejected(line, ext, "duplicate-period", str(first)))
            return
        self.seen[(ext, month)] = line
        self.rows.append(KpiRow(line, ext, month, values))


def has_period_column(data: bytes) -> bool:
    """True when a CSV's header names a ``period`` column (a KPI file, not a partner file)."""
    first = data.lstrip(b"\xef\xbb\xbf\r\n").split(b"\n", 1)[0]
    names = re.split(r"[,;]", first.decode("utf-8", errors="replace"))
    return "period" in {normalize_header(n.strip('"')) for n in names}


def parse(data: bytes, report: ImportReport, today: date) -> list[KpiRow]:
    """Validated rows of a KPI CSV; rejected rows go to ``report``. Raises FatalImport."""
    # Cleaned once as a whole (tab, CR and LF stay): cell by cell costs a regex call per cell.
    rows = records(clean_text(decode(data, max_bytes=MAX_BYTES)))
    _line, header = next(rows, (0, []))
    names = [normalize_header(h) for h in header]
    for required in ("external_id", "period"):
        if required not in names:
            raise FatalImport(f"no-{required.replace('_', '-')}", ", ".join(n for n in names if n) or "—")
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if doubled:
        raise FatalImport("duplicate-column", ", ".join(doubled))
    report.ignored_columns = [n for n in names if n and n not in COLUMNS]
    checker = _Checker(report, today)
    known = set(COLUMNS)
    for line, cells in rows:
        raw: dict[str, str] = {}
        for name, cell in zip(names, cells, strict=False):
            if name in known and (value := cell.strip()):
                raw[name] = value
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            report.rejected.append(Rejected(line, raw.get("external_id", ""), "extra-cells", str(len(cells))))
            continue
        checker.add(line, raw)
    return checker.rows


def parse_items(items: list[Any], report: ImportReport, today: date) -> list[KpiRow]:
    """Validated rows of a JSON array (the HTTP API); ``line`` is the item's index."""
    checker = _Checker(report, today)
    for index, item in enumerate(items):
        raw = cells_of_item(item, COLUMNS)
        if isinstance(raw, Rejected):
            report.rejected.append(Rejected(index, raw.external_id, raw.reason, raw.value))
            continue
        checker.add(index, raw)
    return checker.rows


async def import_kpis(
    sessions: async_sessionmaker[AsyncSession], data: bytes, today: date, *, batch: int = BATCH
) -> ImportReport:
    """Import a KPI CSV: parse in a thread, then write in short transactions; on a fatal
    problem nothing is written and ``report.fatal`` says why. ``today``: in TIMEZONE."""
    report = ImportReport()
    try:
        rows = await asyncio.to_thread(parse, data, report, today)
    except FatalImport as exc:
        return ImportReport(fatal=exc)
    return await write_rows(sessions, rows, report, batch=batch)


async def import_kpi_items(
    sessions: async_sessionmaker[AsyncSession], items: list[Any], today: date, *, batch: int = BATCH
) -> ImportReport:
    """The same import for a JSON array of ``{external_id, period, revenue, ...}`` objects."""
    report = ImportReport()
    rows = parse_items(items, report, today)
    return await write_rows(sessions, rows, report, batch=batch)


async def _partner_ids(sessions: async_sessionmaker[AsyncSession], external_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    async with sessions() as session:
        for i in range(0, len(external_ids), CHUNK):
            chunk = external_ids[i : i + CHUNK]
            result = await session.execute(
                select(Partner.external_id, Partner.id).where(Partner.external_id.in_(chunk))
            )
            found.update({str(ext): int(pid) for ext, pid in result})
    return found


async def write_rows(
    sessions: async_sessionmaker[AsyncSession],
    rows: list[KpiRow],
    report: ImportReport,
    *,
    batch: int = BATCH,
) -> ImportReport:
    """Resolve partners (an unknown external_id is rejected), then upsert in batches."""
    ids = await _partner_ids(sessions, sorted({r.external_id for r in rows}))
    known: list[tuple[int, KpiRow]] = []
    for row in rows:
        pid = ids.get(row.external_id)
        if pid is None:
            report.rejected.append(Rejected(row.line, row.external_id, "unknown-partner"))
        else:
            known.append((pid, row))
    known.sort(key=lambda item: (item[0], item[1].month))  # neighbours in the primary key
    for start in range(0, len(known), batch):
        async with sessions() as session:
            await _apply(session, known[start : start + batch], report)
            await session.commit()
        await asyncio.sleep(0)  # the bot's updates get the database between batches
    report.rejected.sort(key=lambda r: r.line)
    return report


async def _apply(session: AsyncSession, rows: list[tuple[int, KpiRow]], report: ImportReport) -> None:
    stored = await _stored(session, rows)
    now = utcnow()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for pid, row in rows:
        before = stored.get((pid, row.month))
        if before is None:
            new.append({"partner_id": pid, "month": row.month, **dict.fromkeys(FIGURES), **row.values,
                        "updated_at": now})  # fmt: skip
            continue
        after = {**before, **row.values}
        if after == before:
            report.unchanged += 1
            continue
        changed.append({"b_partner_id": pid, "b_month": row.month, **after, "updated_at": now})
    if new:
        # ON CONFLICT: a concurrent import of the same month wrote it since our read; last wins.
        await session.execute(pick(session, _UPSERT), new)
        report.created += len(new)
    if changed:
        await session.execute(_UPDATE, changed)
        report.updated += len(changed)


async def _stored(
    session: AsyncSession, rows: list[tuple[int, KpiRow]]
) -> dict[tuple[int, str], dict[str, Any]]:
    """The stored figures of the batch's (partner, month) keys.

    Read as "these partners, between the batch's first and last month" (the primary key's range
    scans; the batch is sorted by partner and month), then narrowed here: a row-value IN list is
    not planned as index lookups by SQLite."""
    wanted = {(pid, row.month) for pid, row in rows}
    pids = sorted({pid for pid, _row in rows})
    lo = min(row.month for _pid, row in rows)
    hi = max(row.month for _pid, row in rows)
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for i in range(0, len(pids), CHUNK):
        result = await session.execute(
            select(_K.c.partner_id, _K.c.month, *(_K.c[f] for f in FIGURES)).where(
                _K.c.partner_id.in_(pids[i : i + CHUNK]), _K.c.month.between(lo, hi)
            )
        )
        for pid, month, *figures in result:
            if (pid, month) in wanted:
                found[(pid, month)] = dict(zip(FIGURES, figures, strict=True))
    return found

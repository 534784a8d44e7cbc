"""Partner import from CSV: decode, parse, validate every row, then upsert by external_id.

Rules, all checked before the first write so a fatal problem changes nothing:
- fatal: empty file, larger than MAX_BYTES, binary / undecodable, not parseable as CSV (an
  unterminated quote included), no ``external_id`` column, a column named twice;
- encodings: UTF-8 with or without BOM, else Windows-1251; delimiter ``,`` or ``;`` (whichever
  the header line has more of); header names are trimmed and case-insensitive; characters XML
  forbids (``\x0b``...) are dropped from every cell;
- an empty cell keeps the stored value (a CRM export without Telegram ids must not unlink
  partners who joined through their invite link); unknown columns are ignored and reported;
- rejected rows (with their line number): missing/too long values, bad telegram_id, revenue,
  language or username, an external_id or telegram_id repeated in the file (the first one wins),
  a telegram_id held by another partner, a new telegram_id for a partner already linked to a
  Telegram account. A partner who came to the bot on their own (no external_id) is adopted by
  the row carrying their telegram_id.

How it runs (a 100k-row file must not hold up everyone else's replies): the whole file is
parsed and validated in a worker thread first, so every fatal problem is found before the first
write. The valid rows are then upserted in batches of :data:`BATCH` rows, each in a short transaction
of its own, yielding to other updates between batches. What is left to fail there is not the
file's data but a race (someone linked a Telegram id between our lookup and our write): the
batch is looked up and written again once, and its rows are reported as conflicts if it still
fails. Each batch is an idempotent upsert, so an import cut short (the process killed) is
completed by sending the same file again.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.ids import parse_id
from storage.models import Partner
from storage.models.partner import OPTED_IN, STAFF
from storage.repo.partners import new_invite_code
from storage.text import clean_text

MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ("external_id", "name", "segment", "tier", "geo", "niche", "monthly_revenue", "telegram_id",
           "username", "language", "joined_at", "manager")  # fmt: skip
LIMITS = {"external_id": 128, "name": 256, "segment": 64, "tier": 64, "geo": 64, "niche": 64}
LANGUAGES = ("ru", "en")
USERNAME = re.compile(r"^[A-Za-z0-9_]{4,32}$")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f]")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REVENUE_LIMIT = Decimal("1e12")  # Numeric(14, 2)
CHUNK = 500
BATCH = 50  # rows per write transaction: ~10 ms of holding the write lock
log = logging.getLogger(__name__)


class FatalImport(Exception):
    """The file as a whole cannot be imported; ``key`` names the locale message."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row left out, and why (``reason`` is a locale key suffix, ``value`` its detail)."""

    line: int
    external_id: str
    reason: str
    value: str = ""


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    fatal: FatalImport | None = None

    def merge(self, part: ImportReport) -> None:
        """Add the counts and rejections of one batch."""
        self.created += part.created
        self.updated += part.updated
        self.unchanged += part.unchanged
        self.rejected.extend(part.rejected)


@dataclass
class Row:
    """A validated data row: column -> value, only non-empty cells."""

    line: int
    values: dict[str, Any]

    @property
    def external_id(self) -> str:
        return str(self.values["external_id"])


def decode(data: bytes, max_bytes: int = MAX_BYTES) -> str:
    """Bytes to text: UTF-8 (BOM optional), else Windows-1251; binary content is fatal."""
    if len(data) > max_bytes:
        raise FatalImport("too-large", str(max_bytes // (1024 * 1024)))
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FatalImport("empty")
    if b"\x00" in data:
        raise FatalImport("binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise FatalImport("binary") from None
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) // 100):
        raise FatalImport("binary")
    return text


def normalize_header(name: str) -> str:
    """' External ID ' -> 'external_id'."""
    return re.sub(r"[\s\-]+", "_", name.replace("\ufeff", "").strip().lower())


def parse_revenue(raw: str) -> Decimal:
    """'1 234,50', '1,234.50', '1234.5' -> Decimal; ValueError otherwise.

    With both separators the rightmost is the decimal one; a lone comma is a decimal comma
    (the Russian way), several commas or several dots are thousands separators.
    """
    text = re.sub(r"[\s\u00a0\u202f']", "", raw)
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_sep == "," else ",", "").replace(",", ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(raw)
    try:
        value = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(raw) from None
    if value >= REVENUE_LIMIT:
        raise ValueError(raw)
    return value


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of every non-blank CSV record."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # strict: a quote left open must not swallow the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0
    try:
        for cells in reader:
            start, last = last + 1, reader.line_num
            if any(c.strip() for c in cells):
                yield start, cells
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise FatalImport("unclosed-quote", str(last + 1)) from None
        raise FatalImport("not-csv", f"{reader.line_num}: {exc}") from None


def _check(column: str, raw: str) -> tuple[Any, str | None]:
    """Validated value of one cell, or (None, reason)."""
    if column in LIMITS:
        return (raw, None) if len(raw) <= LIMITS[column] else (None, f"too-long-{column.replace('_', '-')}")
    if column == "telegram_id":
        tg_id = parse_id(raw, allow_hash=False)
        return (tg_id, None) if tg_id is not None else (None, "bad-telegram-id")
    if column == "monthly_revenue":
        try:
            return parse_revenue(raw), None
        except ValueError:
            return None, "bad-revenue"
    if column == "username":
        name = raw.removeprefix("@")
        return (name, None) if USERNAME.match(name) else (None, "bad-username")
    if column == "language":
        lang = re.split(r"[-_]", raw.lower())[0]
        return (lang, None) if lang in LANGUAGES else (None, "bad-language")
    if column == "joined_at":
        try:
            joined = date.fromisoformat(raw) if DATE.fullmatch(raw) else None
        except ValueError:
            joined = None
        return (joined, None) if joined is not None and joined.year >= 1990 else (None, "bad-joined-at")
    if column == "manager":
        return _manager(raw)
    return raw, None


def _manager(raw: str) -> tuple[str | None, str | None]:
    """``@username`` (kept without the @) or a numeric Telegram id (kept as digits)."""
    if raw.isdigit() and parse_id(raw, allow_hash=False) is not None:
        return raw, None
    name = raw.removeprefix("@")
    return (name, None) if USERNAME.match(name) and not name[0].isdigit() else (None, "bad-manager")


def parse(data: bytes, report: ImportReport) -> list[Row]:
    """Validated rows of the file; rejected rows go to ``report``. Raises FatalImport."""
    rows = records(decode(data))
    _line, header = next(rows, (0, []))
    names = [normalize_header(h) for h in header]
    if "external_id" not in names:
        raise FatalImport("no-external-id", ", ".join(n for n in names if n) or "—")
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if doubled:
        raise FatalImport("duplicate-column", ", ".join(doubled))
    report.ignored_columns = [n for n in names if n and n not in COLUMNS]
    checker = _Checker(report)
    for line, cells in rows:
        cleaned = (clean_text(c).strip() for c in cells)
        raw = {n: c for n, c in zip(names, cleaned, strict=False) if n in COLUMNS and c}
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            report.rejected.append(Rejected(line, raw.get("external_id", ""), "extra-cells", str(len(cells))))
            continue
        checker.add(line, raw)
    return checker.rows


def parse_items(items: list[Any], report: ImportReport) -> list[Row]:
    """Validated partners of a JSON array (the HTTP API); ``line`` is the item's index.

    The same rules as a CSV row: a missing key or ``null`` keeps the stored value."""
    checker = _Checker(report)
    for index, item in enumerate(items):
        raw = cells_of_item(item, COLUMNS)
        if isinstance(raw, Rejected):
            report.rejected.append(Rejected(index, raw.external_id, raw.reason, raw.value))
            continue
        checker.add(index, raw)
    return checker.rows


def cells_of_item(item: Any, columns: tuple[str, ...]) -> dict[str, str] | Rejected:
    """A JSON object's known fields as CSV-like cells (text); a Rejected (line 0) when it is not
    an object or a field holds something no cell could (a list, an object, true/false)."""
    if not isinstance(item, dict):
        return Rejected(0, "", "not-an-object")
    ext = item.get("external_id")
    ext_text = str(ext) if isinstance(ext, str | int) and not isinstance(ext, bool) else ""
    raw: dict[str, str] = {}
    for key, value in item.items():
        name = normalize_header(str(key))
        if name not in columns or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            return Rejected(0, ext_text, "bad-value", name)
        text = clean_text(str(value)).strip()
        if text:
            raw[name] = text
    return raw


class _Checker:
    """Row by row validation shared by CSV and JSON: the first of a repeated id wins."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.rows: list[Row] = []
        self.seen_ext: dict[str, int] = {}
        self.seen_tg: dict[int, int] = {}

    def add(self, line: int, raw: dict[str, str]) -> None:
        ext = raw.get("external_id", "")
        if not ext:
            self.report.rejected.append(Rejected(line, "", "missing-external-id"))
            return
        values: dict[str, Any] = {}
        problem: Rejected | None = None
        for column, cell in raw.items():
            value, reason = _check(column, cell)
            if reason is not None:
                problem = Rejected(line, ext, reason, cell)
                break
            values[column] = value
        if problem is None and ext in self.seen_ext:
            problem = Rejected(line, ext, "duplicate-external-id", str(self.seen_ext[ext]))
        tg = values.get("telegram_id")
        if problem is None and tg is not None and tg in self.seen_tg:
            problem = Rejected(line, ext, "duplicate-telegram-id", str(self.seen_tg[tg]))
        if problem is not None:
            self.report.rejected.append(problem)
            return
        self.seen_ext[ext] = line
        if tg is not None:
            self.seen_tg[tg] = line
        self.rows.append(Row(line, values))


async def _load(session: AsyncSession, column: Any, keys: list[Any]) -> dict[Any, Partner]:
    found: dict[Any, Partner] = {}
    for i in range(0, len(keys), CHUNK):
        for p in (await session.scalars(select(Partner).where(column.in_(keys[i : i + CHUNK])))).all():
            found[getattr(p, column.key)] = p
    return found


async def apply(session: AsyncSession, rows: list[Row], report: ImportReport) -> None:
    """Upsert validated rows by external_id (see module docstring for the conflict rules)."""
    by_ext = await _load(session, Partner.external_id, [r.external_id for r in rows])
    tg_ids = [r.values["telegram_id"] for r in rows if "telegram_id" in r.values]
    by_tg = await _load(session, Partner.telegram_id, tg_ids)
    with session.no_autoflush:
        for row in rows:
            partner = by_ext.get(row.external_id)
            tg = row.values.get("telegram_id")
            holder = by_tg.get(tg) if tg is not None else None
            if holder is not None and holder is not partner:
                if partner is None and holder.external_id is None and holder.erased_at is None:
                    partner = holder  # the partner found the bot before the import: adopt them
                    if partner.role == STAFF:
                        partner.role = OPTED_IN  # staff the program lists as a partner: one now
                else:
                    taken_by = holder.external_id or f"#{holder.id}"
                    report.rejected.append(Rejected(row.line, row.external_id, "telegram-id-taken", taken_by))
                    continue
            if (
                partner is not None
                and tg is not None
                and partner.telegram_id not in (None, tg)
                and partner.started_at is not None
            ):
                report.rejected.append(
                    Rejected(row.line, row.external_id, "linked-elsewhere", str(partner.telegram_id))
                )
                continue
            if partner is None:
                session.add(Partner(**row.values, invite_code=new_invite_code()))
                report.created += 1
                continue
            changed = False
            for column, value in row.values.items():
                if getattr(partner, column) != value:
                    setattr(partner, column, value)
                    changed = True
            if partner.invite_code is None:
                partner.invite_code = new_invite_code()
            by_ext[row.external_id] = partner
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
    await session.flush()


async def import_partners(
    sessions: async_sessionmaker[AsyncSession], data: bytes, *, batch: int = BATCH
) -> ImportReport:
    """Parse (in a thread), then upsert in short transactions; on a fatal problem nothing is
    written and ``report.fatal`` says why."""
    report = ImportReport()
    try:
        rows = await asyncio.to_thread(parse, data, report)
    except FatalImport as exc:
        return ImportReport(fatal=exc)
    return await write_rows(sessions, rows, report, batch=batch)


async def import_partner_items(
    sessions: async_sessionmaker[AsyncSession], items: list[Any], *, batch: int = BATCH
) -> ImportReport:
    """The same import for a JSON array of partner objects (the HTTP API)."""
    report = ImportReport()
    rows = parse_items(items, report)
    return await write_rows(sessions, rows, report, batch=batch)


async def write_rows(
    sessions: async_sessionmaker[AsyncSession], rows: list[Row], report: ImportReport, *, batch: int = BATCH
) -> ImportReport:
    """Upsert validated rows in short transactions (see module docstring)."""
    for start in range(0, len(rows), batch):
        report.merge(await _apply_batch(sessions, rows[start : start + batch]))
        await asyncio.sleep(0)  # other partners' updates get the database between batches
    report.rejected.sort(key=lambda r: r.line)
    return report


async def _apply_batch(sessions: async_sessionmaker[AsyncSession], rows: list[Row]) -> ImportReport:
    """One batch in its own transaction; looked up and written again once after a race."""
    for _attempt in range(2):
        part = ImportReport()
        try:
            async with sessions() as session:
                await apply(session, rows, part)
                await session.commit()
        except IntegrityError as exc:
            log.info("Import batch at line %d raced with another write: %s", rows[0].line, exc.orig)
            continue
        return part
    return ImportReport(rejected=[Rejected(r.line, r.external_id, "conflict") for r in rows])

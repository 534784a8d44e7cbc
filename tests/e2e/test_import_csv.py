"""Partner CSV import through the bot (/import document) and the CLI; invites and /partners."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.cli import main as cli_main
from storage.models import Partner, utcnow
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import BOT_USERNAME

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
FAILED = "Импорт не выполнен, ничего не изменено"


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


async def partners(app: App) -> dict[str, Partner]:
    async with app.services.sessionmaker() as s:
        return {p.external_id or f"#{p.id}": p for p in (await s.scalars(select(Partner))).all()}


async def snapshot(app: App) -> list[tuple[Any, ...]]:
    cols = [c.key for c in Partner.__table__.columns]
    return sorted(tuple(getattr(p, c) for c in cols) for p in (await partners(app)).values())


async def upload(admin: SimUser, name: str, content: bytes, caption: str = "/import") -> str:
    await admin.send_document(name, content, caption=caption)
    return str((await admin.wait_reply(timeout=10))["text"])


@pytest.fixture(autouse=True)
def chatty_admin(tg: FakeTelegram) -> None:
    """Many replies to the admin in a row; per-chat flood control is not under test here."""
    tg.per_chat_burst = 30


async def test_utf8_bom_import_then_reimport_is_unchanged(app: App, admin: SimUser) -> None:
    report = await upload(admin, "partners.csv", data("partners_utf8_bom.csv"))
    assert "создано 4, обновлено 0, без изменений 0, отклонено 0" in report
    stored = await partners(app)
    ivan = stored["P-1"]
    assert ivan.name == "Иван <b>Петров</b> & Co" and ivan.segment == "gold" and ivan.geo == "RU"
    assert ivan.monthly_revenue == Decimal("1234.50") and ivan.telegram_id == 8000001
    assert ivan.username == "ivan_p" and ivan.language == "ru"
    assert stored["P-2"].monthly_revenue == Decimal("1234.50") and stored["P-2"].language == "en"
    assert stored["P-4"].language == "ru" and stored["P-4"].telegram_id is None
    codes = {p.invite_code for p in stored.values()}
    assert len(codes) == 4 and all(c and len(c) >= 16 for c in codes)

    report = await upload(admin, "partners.csv", data("partners_utf8_bom.csv"))
    assert "создано 0, обновлено 0, без изменений 4" in report
    changed = data("partners_utf8_bom.csv").replace(b"Jane Smith", b"Jane Doe")
    report = await upload(admin, "partners.csv", changed)
    assert "создано 0, обновлено 1, без изменений 3" in report
    assert (await partners(app))["P-2"].name == "Jane Doe"
    assert {p.invite_code for p in (await partners(app)).values()} == codes  # links stay valid


async def test_cp1251_semicolon_import(app: App, admin: SimUser) -> None:
    report = await upload(admin, "crm.csv", data("partners_cp1251_semicolon.csv"))
    assert "создано 3" in report and "отклонено 0" in report
    stored = await partners(app)
    assert stored["W-1"].name == "Сергей Кузнецов" and stored["W-1"].segment == "золото"
    assert stored["W-1"].monthly_revenue == Decimal("2500.00")
    assert stored["W-3"].name == "Пётр Ёлкин" and stored["W-3"].language == "en"


async def test_every_rejection_reason_with_line_numbers(app: App, admin: SimUser) -> None:
    async with app.services.sessionmaker() as s:
        s.add(Partner(external_id="OTHER", telegram_id=8000999))  # holds B-5's telegram_id
        s.add(Partner(external_id="LINKED", telegram_id=8000500, started_at=utcnow()))
        s.add(Partner(telegram_id=8000600, name="Пришел сам", started_at=utcnow()))  # no external_id
        await s.commit()
    extra = b"LINKED,Linked,gold,1,8000501,,ru\nSELF,Adopted,gold,1,8000600,,ru\n"
    report = await upload(admin, "bad.csv", data("partners_bad_rows.csv") + extra)
    assert "создано 2, обновлено 1, без изменений 0, отклонено 11" in report
    expected = [
        "строка 3 (B-1): telegram_id «abc» — не id пользователя Telegram",
        "строка 4 (B-2): monthly_revenue «12x» — не сумма",
        "строка 5 (B-3): language «de» — нужно ru или en",
        "строка 6 (G-1): external_id повторяет строку 2",
        "строка 7: пустой external_id",
        "строка 8 (B-4): telegram_id повторяет строку 2",
        "строка 9 (B-5): telegram_id уже у другого партнера (OTHER)",
        "строка 10 (B-6): username «a!» — не имя пользователя Telegram",
        "строка 11 (B-7): monthly_revenue «-5» — не сумма",
        "строка 13 (B-8): значений больше, чем колонок (8)",
        "строка 14 (LINKED): партнер уже связан с аккаунтом Telegram 8000500",
    ]
    lines = report.splitlines()
    assert [line for line in lines if line.startswith("строка")] == expected
    stored = await partners(app)
    assert {"G-1", "G-2", "SELF", "OTHER", "LINKED"} <= set(stored)
    assert not any(k.startswith("B-") for k in stored)
    assert stored["G-1"].name == "Good One"  # the first of two G-1 rows wins
    assert stored["SELF"].name == "Adopted" and stored["SELF"].telegram_id == 8000600
    assert stored["LINKED"].telegram_id == 8000500


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("none.csv", data("no_external_id.csv"), "нет колонки external_id (найдены: id, name)"),
        ("empty.csv", data("empty.csv"), "файл пустой"),
        ("logo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "это не текстовый CSV-файл"),
        ("big.csv", b"external_id\n" + b"x" * (5 * 1024 * 1024), "файл больше 5 МБ"),
        ("twice.csv", b"external_id,name,Name\n1,a,b\n", "колонки повторяются: name"),
    ],
)
async def test_fatal_problems_change_nothing(
    app: App, admin: SimUser, name: str, content: bytes, reason: str
) -> None:
    await upload(admin, "partners.csv", data("partners_utf8_bom.csv"))
    before = await snapshot(app)
    report = await upload(admin, name, content)
    assert FAILED in report and reason in report
    assert await snapshot(app) == before


async def test_long_report_comes_as_a_csv_document(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    rows = "\n".join(f"X-{i},Name {i},gold,1,not-a-number" for i in range(400))
    content = f"external_id,name,segment,monthly_revenue,telegram_id\n{rows}\n".encode()
    await admin.send_document("many.csv", content, caption="/import")
    summary = await admin.wait_reply(timeout=10)
    assert "отклонено 400" in summary["text"] and "в приложенном файле" in summary["text"]
    document = await admin.wait_reply(timeout=10)
    attached = tg.uploaded(document["message_id"], admin.chat_id).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(attached)))
    assert table[0] == ["line", "external_id", "reason"] and len(table) == 401
    assert table[1] == ["2", "X-0", "telegram_id «not-a-number» — не id пользователя Telegram"]
    assert all(len(m.get("text", "")) <= 4096 for m in admin.messages())


async def test_import_without_a_file_explains(app: App, admin: SimUser) -> None:
    await admin.send_text("/import")
    assert "Пришлите CSV-файл" in (await admin.wait_reply())["text"]


async def test_invite_links_and_partner_summary(
    tg: FakeTelegram, app: App, admin: SimUser, make_user
) -> None:
    await upload(admin, "partners.csv", data("partners_utf8_bom.csv"))
    await admin.send_text("/invite P-1")
    reply = (await admin.wait_reply())["text"]
    code = (await partners(app))["P-1"].invite_code
    assert f"https://t.me/{BOT_USERNAME}?start={code}" in reply
    assert "Иван <b>Петров</b> & Co" in reply  # shown as text, not markup
    await admin.send_text("/invite NOPE")
    assert "Партнера с external_id NOPE нет" in (await admin.wait_reply())["text"]

    await admin.send_text("/invites")
    sheet = await admin.wait_reply()
    rows = list(csv.reader(io.StringIO(tg.uploaded(sheet["message_id"], admin.chat_id).decode("utf-8-sig"))))
    assert rows[0] == ["external_id", "name", "segment", "link"] and len(rows) == 5
    links = {r[0]: r[3] for r in rows[1:]}
    assert links["P-1"] == f"https://t.me/{BOT_USERNAME}?start={code}"

    # The partner follows the link (linking itself is the core's /start): now active.
    ivan = make_user(8000001, first_name="Иван")
    await ivan.send_text(f"/start {code}")
    await ivan.wait_reply()
    await admin.send_text("/partners")
    summary = (await admin.wait_reply())["text"]
    assert "всего 4" in summary
    assert "gold: 2 — активны 1, не запускали бота 1, отписались 0" in summary


def test_cli_import_exit_codes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    new_db: Callable[[str], str],
) -> None:
    from tests.helpers import TOKEN

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", new_db("cli"))
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    assert cli_main(["import-partners", str(DATA / "partners_bad_rows.csv")]) == 0
    out = capsys.readouterr().out
    assert "created 3, updated 0, unchanged 0, rejected 9" in out  # B-5 is free in a new database
    assert "line 3 (B-1): telegram_id “abc” is not a Telegram user id" in out
    assert cli_main(["import-partners", str(DATA / "no_external_id.csv")]) == 1
    assert "there is no external_id column" in capsys.readouterr().out
    assert cli_main(["import-partners", str(tmp_path / "missing.csv")]) == 1

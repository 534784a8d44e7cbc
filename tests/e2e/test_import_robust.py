"""/import survives broken files and failed downloads, and big files are written in batches
after the whole file was checked (issue 12 items 6 and 7)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import App
from tests.e2e.test_import_csv import FAILED, data, partners, snapshot, upload
from tests.fakebot import FakeTelegram, SimUser

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def chatty_admin(tg: FakeTelegram) -> None:
    tg.per_chat_burst = 30


async def _seeded(app: App, admin: SimUser) -> list[tuple[object, ...]]:
    await upload(admin, "partners.csv", data("partners_utf8_bom.csv"))
    return await snapshot(app)


async def test_unterminated_quote_changes_nothing(app: App, admin: SimUser) -> None:
    before = await _seeded(app, admin)
    content = b'external_id,name,segment\nQ-1,"Broken name,gold\nQ-2,Two,gold\nQ-3,Three,gold\n'
    report = await upload(admin, "quote.csv", content)
    assert FAILED in report and "кавычка, открытая в строке 2, не закрыта" in report
    assert await snapshot(app) == before


@pytest.mark.parametrize("method", ["getFile", "file"])
async def test_failed_download_gets_a_clear_reply(
    tg: FakeTelegram, app: App, admin: SimUser, method: str
) -> None:
    before = await _seeded(app, admin)
    tg.inject_failure(method, "5xx")
    report = await upload(admin, "new.csv", b"external_id,name\nD-1,New\n")
    assert "Не удалось скачать файл" in report and "ничего не изменено" in report
    assert await snapshot(app) == before
    report = await upload(admin, "new.csv", b"external_id,name\nD-1,New\n")  # sent again: works
    assert "создано 1" in report


async def test_many_rows_in_batches_and_a_late_fatal_problem(
    app: App, admin: SimUser, make_user: Callable[..., SimUser]
) -> None:
    before = await _seeded(app, admin)
    rows = "".join(f"B-{i},Name {i},seg{i % 7}\n" for i in range(1_800))  # several batches
    broken = f'external_id,name,segment\n{rows}B-LAST,"never closed,x\n'.encode()
    report = await upload(admin, "late.csv", broken)
    assert FAILED in report and "строке 1802" in report
    assert await snapshot(app) == before  # found before the first batch was written

    partner = make_user(5151)  # answered while the big import runs
    await admin.send_document("big.csv", f"external_id,name,segment\n{rows}".encode(), caption="/import")
    await partner.send_text("/help")
    await partner.wait_reply(timeout=15)
    summary = await admin.wait_text("Импорт завершен", timeout=30)
    assert "создано 1800, обновлено 0, без изменений 0, отклонено 0" in summary["text"]
    stored = await partners(app)
    assert len(stored) == 1_804 and stored["B-1799"].segment == "seg0"
    report = await upload(admin, "big.csv", f"external_id,name,segment\n{rows}".encode())
    assert "создано 0, обновлено 0, без изменений 1800" in report

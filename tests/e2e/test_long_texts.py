"""Long user text arrives whole: relays both ways, import reports, segment lists (issue 12 item 3).

Fluent refuses arguments over 2,500 characters; before the fix such messages went out as
``{???}`` while the manager was told the reply was sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from bot.app import App
from storage.models import Partner
from tests.e2e.test_alerts import PARTNER_ID, _detractor_survey, manager
from tests.fakebot import FakeTelegram, SimUser

pytestmark = pytest.mark.asyncio


def _squash(text: str) -> str:
    """Text without whitespace: a part boundary may fall on a space or a line break."""
    return "".join(text.split())


def _texts(messages: list[dict]) -> str:
    return "".join(m.get("text", "") for m in messages)


async def test_long_relays_arrive_whole_both_ways(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег")
    mgr = manager(tg)
    await _detractor_survey(partner)
    await mgr.wait_text("Критик: 2/10")
    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение")

    # 3,000 characters with 600 "&": 5,100 characters once escaped, so two messages.
    reply = "R&D & co " * 333 + "THE END"
    assert len(reply) >= 3000 and reply.count("&") >= 500
    before = len(partner.messages())
    await mgr.send_text(reply)
    await mgr.wait_text("Отправлено партнеру")
    got = partner.messages()[before:]
    assert len(got) >= 2 and all(len(m["text"]) <= 4096 for m in got)
    assert "{???}" not in _texts(got)
    assert _squash(reply) in _squash(_texts(got))

    answer = "<b>ответ</b> & " * 280 + "КОНЕЦ"  # 4,000 characters, 9,000+ once escaped
    before = len(mgr.messages())
    await partner.send_text(answer)
    await partner.wait_text("Передали команде")
    back = mgr.messages()[before:]
    assert len(back) >= 2 and "{???}" not in _texts(back)
    assert _squash(answer) in _squash(_texts(back))


async def test_manager_is_not_told_sent_when_the_relay_failed(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег")
    mgr = manager(tg)
    await _detractor_survey(partner)
    await mgr.wait_text("Критик: 2/10")
    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение")
    tg.block_chat(PARTNER_ID)
    await mgr.send_text("x" * 3000)
    failed = await mgr.wait_text("Не удалось доставить")
    assert "Отправлено" not in failed["text"]
    assert all("Отправлено партнеру" not in (m.get("text") or "") for m in mgr.messages())


async def test_long_rejected_value_in_the_import_report(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    tg.per_chat_burst = 30
    digits = "9" * 2600  # over Fluent's 2,500: the reason quoting it was "{???}"
    content = f"external_id,telegram_id\nL-1,{digits}\n".encode()
    await admin.send_document("long.csv", content, caption="/import")
    report = await admin.wait_text("отклонено 1", timeout=10)
    assert "{???}" not in report["text"] and f"telegram_id «{digits}»" in report["text"]

    # Escaped, the report is over a message: the summary comes, the rows come as a file.
    amps = "1&" * 1500
    content = f"external_id,telegram_id\nL-2,{amps}\n".encode()
    await admin.send_document("amps.csv", content, caption="/import")
    await admin.wait_text("отклонено 1", timeout=10)
    await tg.wait_until(lambda: any("document" in m for m in admin.messages()), 10)
    assert "{???}" not in _texts(admin.messages())
    attached = [m for m in admin.messages() if "document" in m][-1]
    data = tg.uploaded(attached["message_id"], admin.chat_id).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(data)))
    assert table[1][:2] == ["2", "L-2"] and f"«{amps}»" in table[1][2]


async def test_long_segment_list_in_the_usage(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    async with app.services.sessionmaker() as s:
        s.add_all(Partner(external_id=f"S-{i}", segment=f"segment-{i:04d}-&") for i in range(400))
        await s.commit()
    before = len(admin.messages())
    await admin.send_text("/newcampaign")
    await admin.wait_text("Формат", timeout=10)
    await tg.wait_until(lambda: "segment-0399-&" in _texts(admin.messages()[before:]), 10)
    got = admin.messages()[before:]
    assert "{???}" not in _texts(got) and all(len(m["text"]) <= 4096 for m in got)
    assert all(f"segment-{i:04d}-&" in _texts(got) for i in range(400))


async def test_manager_is_told_when_only_part_arrived(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    partner = make_user(PARTNER_ID, first_name="Олег")
    mgr = manager(tg)
    await _detractor_survey(partner)
    await mgr.wait_text("Критик: 2/10")
    await mgr.press("✉️ Ответить")
    await mgr.wait_text("напишите сообщение")
    tg.enforce_limits = False  # flood control is not under test here
    tg.inject_failure("sendMessage", "5xx", chat_id=PARTNER_ID, skip=1)
    await mgr.send_text("R&D & co " * 333)  # two parts: the first arrives, the second fails
    partial = await mgr.wait_text("Доставлено не полностью")
    assert "1 из 2" in partial["text"]
    assert all("Отправлено партнеру" not in (m.get("text") or "") for m in mgr.messages())

"""Managers' commands, scheduled digests and announcements end to end through the fake Telegram."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.app import App
from scheduler.digest_jobs import weekly_digest_job
from storage.models import Announcement, Response, utcnow
from storage.models import campaign as c
from tests.conftest import MakeApp
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import (
    ADMIN_ID,
    MANAGER_CHAT_ID,
    MANAGER_ID,
    add_campaign,
    add_partner,
    add_response,
    invite,
)

pytestmark = pytest.mark.asyncio

PNG = b"\x89PNG\r\n\x1a\n"
SCORES = [10, 10, 9, 9, 9, 8, 3, 10, 6, 2, 9, 0]  # 7 promoters, 1 passive, 4 detractors: NPS +25
SEGMENTS = ["blog"] * 7 + ["shop"] * 3 + ["tiny"] * 2


async def _seed(app: App, *, respondent_ids: tuple[int, ...] = ()) -> dict[str, int]:
    """A closed spring round and a running autumn round with 12 answers."""
    now = utcnow()
    async with app.services.sessionmaker() as s:
        spring = await add_campaign(
            s, "Весна", kind=c.QUARTERLY, status=c.CLOSED, launched_at=now - timedelta(days=95)
        )
        autumn = await add_campaign(s, "Осень", kind=c.QUARTERLY, launched_at=now - timedelta(days=3))
        for i, (score, segment) in enumerate(zip(SCORES, SEGMENTS, strict=True)):
            tg_id = respondent_ids[i] if i < len(respondent_ids) else 80_000 + i
            p = await add_partner(
                s, name=f"Партнер {i}", telegram_id=tg_id, external_id=f"X{i}", segment=segment
            )
            await add_response(s, spring, p, 8, answered_at=now - timedelta(days=90))
            await invite(s, autumn, p)
            await add_response(
                s, autumn, p, score, comment="Выплаты задерживают" if score <= 6 else None,
                drivers=["payouts"] if score <= 6 else ["support"], answered_at=now - timedelta(days=1),
            )  # fmt: skip
        await s.commit()
        return {"spring": spring.id, "autumn": autumn.id}


def _manager(tg: FakeTelegram) -> SimUser:
    return SimUser(tg, user_id=MANAGER_ID, first_name="Мария", language_code="ru", chat=MANAGER_CHAT_ID)


async def test_non_managers_are_refused(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    tg.per_chat_burst = 30  # six commands in a row: per-chat flood control is not under test
    await _seed(app)
    partner = make_user(7001)
    outsider_group = SimUser(tg, user_id=7002, first_name="Чужой", chat=-1_000_999)
    everything = ("/nps", "/report", "/digest", "/alerts", "/export", "/announce 1")
    for user, commands in ((partner, everything), (outsider_group, ("/digest", "/export"))):
        for command in commands:
            await user.send_text(command)
            reply = await user.wait_reply()
            assert "для менеджеров" in reply["text"], command
    assert tg.calls_for("sendDocument") == [] and tg.calls_for("sendPhoto") == []
    assert tg.calls_for("sendMessage", MANAGER_CHAT_ID) == []


async def test_nps_and_report_in_the_managers_chat(app: App, tg: FakeTelegram) -> None:
    ids = await _seed(app)
    mgr = _manager(tg)
    await mgr.send_text("/nps")
    reply = await mgr.wait_reply()
    # 7 promoters (10,10,9,9,9,10,9), 1 passive, 4 detractors of 12 → +25; spring was all 8 → 0.
    assert "Текущий NPS («Осень»): +25" in reply["text"]
    assert "12 ответов" in reply["text"] and "к «Весна»: +25,0" in reply["text"]

    await mgr.send_text("/nps blog")
    blog = await mgr.wait_reply()
    # blog: 10,10,9,9,9,8,3 → 5 P, 1 S, 1 D of 7 → +57
    assert "сегмента «blog»" in blog["text"] and "+57" in blog["text"]
    await mgr.send_text("/nps tiny")
    tiny = await mgr.wait_reply()
    assert "меньше 5" in tiny["text"] and "+" not in tiny["text"].split("—")[0]

    before = len(mgr.messages())
    await mgr.send_text(f"/report {ids['autumn']}")
    await mgr.wait_text("Сегменты")
    await tg.wait_until(lambda: any("photo" in m for m in mgr.messages()[before:]), 15)
    new = mgr.messages()[before:]
    text = "\n".join(m.get("text", "") for m in new)
    assert "NPS: Осень" in text and "Отклик" in text and "Уровни" in text  # /report is the full one
    photo = next(m for m in new if "photo" in m)
    assert tg.uploaded(photo["message_id"], MANAGER_CHAT_ID).startswith(PNG)

    await mgr.send_text("/report 999")
    assert "не найдена" in (await mgr.wait_text("999"))["text"]


async def test_digest_command_and_weekly_job(app: App, tg: FakeTelegram, admin: SimUser) -> None:
    await _seed(app)
    mgr = _manager(tg)
    await admin.send_text("/digest")
    await admin.wait_text("Дайджест отправлен в чат менеджеров")
    weekly = await mgr.wait_text("Еженедельный дайджест NPS")
    assert "За неделю 12 новых ответов." in weekly["text"]
    await tg.wait_until(lambda: any("photo" in m for m in mgr.messages()), 15)

    # The job with time moved on two weeks: nothing new, so one line and no chart.
    photos = len(tg.calls_for("sendPhoto", MANAGER_CHAT_ID))
    await weekly_digest_job(now=utcnow() + timedelta(days=14))
    quiet = await mgr.wait_text("За неделю новых ответов нет")
    assert "Текущий NPS: +25" in quiet["text"] and "\n" not in quiet["text"]
    assert len(tg.calls_for("sendPhoto", MANAGER_CHAT_ID)) == photos


async def test_a_weekly_digest_that_meets_flood_control_is_posted_after_the_wait(
    app: App, tg: FakeTelegram
) -> None:
    await _seed(app)
    mgr = _manager(tg)
    # A group takes only a few messages at once: the job's message meets a 429 first.
    tg.inject_failure("sendMessage", "429", count=1, chat_id=MANAGER_CHAT_ID, retry_after=1)
    await weekly_digest_job(now=utcnow())
    weekly = await mgr.wait_text("Еженедельный дайджест NPS")
    assert "За неделю 12 новых ответов." in weekly["text"]


async def test_digest_without_managers_chat(make_app: MakeApp, admin: SimUser) -> None:
    await make_app(manager_chat_id="")
    await admin.send_text("/digest")
    assert "MANAGER_CHAT_ID не задан" in (await admin.wait_reply())["text"]


async def test_closing_a_campaign_sends_its_digest(app: App, tg: FakeTelegram, admin: SimUser) -> None:
    ids = await _seed(app)
    mgr = _manager(tg)
    await admin.send_text(f"/close {ids['autumn']}")
    closed = await mgr.wait_text("Кампания завершена: Осень", timeout=15)
    assert "NPS +25" in closed["text"]


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def test_export_in_the_bot(app: App, tg: FakeTelegram) -> None:
    ids = await _seed(app)
    mgr = _manager(tg)
    await mgr.send_text("/export")
    doc = await mgr.wait_text("Выгрузка ответов: 24 строки")
    rows = _csv_rows(tg.uploaded(doc["message_id"], MANAGER_CHAT_ID))
    async with app.services.sessionmaker() as s:
        total = await s.scalar(select(func.count()).select_from(Response))
        scores = sorted(
            (await s.scalars(select(Response.score).where(Response.campaign_id == ids["autumn"]))).all()
        )
    assert len(rows) - 1 == total
    assert sorted(int(r[7]) for r in rows[1:] if r[0] == str(ids["autumn"])) == scores

    await mgr.send_text(f"/export xlsx {ids['autumn']}")
    xdoc = await mgr.wait_text("Ответы «Осень»: 12 строк")
    assert (tg.uploaded_name(xdoc["message_id"], MANAGER_CHAT_ID) or "").endswith(".xlsx")
    book = load_workbook(io.BytesIO(tg.uploaded(xdoc["message_id"], MANAGER_CHAT_ID)), read_only=True)
    sheet = book.active
    assert sheet is not None
    table: list[Any] = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][:3] == ["campaign_id", "campaign", "partner_external_id"]
    assert sorted(r[7] for r in table[1:]) == scores


async def test_announce_reaches_respondents_only(
    app: App, tg: FakeTelegram, admin: SimUser, make_user: Callable[..., SimUser]
) -> None:
    first, second = make_user(91_001), make_user(91_002)
    bystander = make_user(91_003)
    await bystander.send_text("/start")
    await bystander.wait_reply()
    ids = await _seed(app, respondent_ids=(91_001, 91_002))
    await admin.send_text(f"/announce {ids['autumn']}")
    await admin.wait_text("Напишите следующим сообщением текст для 12 ответивших")
    await admin.send_text("Мы ускорили выплаты <в 2 раза> — спасибо за отзывы!")
    await admin.wait_text("поставлено в очередь для 12 партнеров")
    for user in (first, second):
        got = await user.wait_text("Мы ускорили выплаты", timeout=10)
        assert got["text"] == "Мы ускорили выплаты <в 2 раза> — спасибо за отзывы!"
    assert all("ускорили" not in (m.get("text") or "") for m in bystander.messages())
    async with app.services.sessionmaker() as s:
        row = await s.scalar(select(Announcement))
        assert row is not None and row.created_by == ADMIN_ID and row.campaign_id == ids["autumn"]

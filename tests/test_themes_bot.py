"""``/themes`` end to end through the fake Telegram: counts, paging, tagging, teaching, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.keyboards.themes import ThemeDoneCb, ThemeToggleCb
from storage import areas
from storage.analytics import themes
from storage.models import ResponseTheme, utcnow
from storage.models import campaign as c
from storage.repo import themes as stored
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, add_campaign, add_partner, add_response

pytestmark = pytest.mark.asyncio

CONFIDENT = ["Выплаты задерживают уже месяц", "саппорт молчит третий день", "payouts are late again"]
# A made-up slang word for money the classifier has never seen.
SLANG = ["где шмурдяк, ребята", "шмурдяк так и не дошёл", "когда будет шмурдяк?"]


@pytest.fixture(autouse=True)
def _fresh_memory() -> None:
    themes.memory().replace([])  # tags taught by another test of this process are forgotten


async def _seed(app: App) -> int:
    now = utcnow()
    async with app.services.sessionmaker() as s:
        autumn = await add_campaign(s, "Осень", kind=c.QUARTERLY, launched_at=now - timedelta(days=3))
        for i, text in enumerate(CONFIDENT + SLANG):
            partner = await add_partner(s, name=f"P{i}", telegram_id=81_000 + i, external_id=f"T{i}")
            at = now - timedelta(hours=i)
            # no detractors: their alerts would arrive in the same chat as /themes
            await add_response(s, autumn, partner, 7 + i % 4, comment=text, answered_at=at)
        await s.commit()
        return autumn.id


def _manager(tg: FakeTelegram) -> SimUser:
    return SimUser(tg, user_id=MANAGER_ID, first_name="Мария", language_code="ru", chat=MANAGER_CHAT_ID)


async def test_counts_paging_tagging_and_teaching(app: App, tg: FakeTelegram) -> None:
    campaign_id = await _seed(app)
    mgr = _manager(tg)
    await mgr.send_text("/themes")
    summary = await mgr.wait_text("Темы комментариев")
    assert "6 комментариев" in summary["text"]
    assert "Скорость выплат: 2" in summary["text"] and "Поддержка: 1" in summary["text"]
    assert mgr.buttons(summary) == ["Разметить (3)"]  # the three slang comments fell to "other"

    await mgr.press("Разметить (3)")
    first = await mgr.wait_text("Комментарий 1 из 3")
    assert "когда будет шмурдяк?" in first["text"]  # newest first
    assert "✓ Другое" in mgr.buttons(first)  # the guess is preselected
    await mgr.press("Дальше ▶")
    await mgr.wait_text("Комментарий 2 из 3")
    await mgr.press("◀ Назад")
    await mgr.wait_text("Комментарий 1 из 3")

    for left in range(len(SLANG) - 1, -1, -1):  # tag all three as payouts: untick "other", tick payouts, Done
        await mgr.press("✓ Другое")
        await tg.wait_until(lambda: "Скорость выплат" in mgr.buttons() and "Другое" in mgr.buttons(), 5)
        await mgr.press("Скорость выплат")
        await tg.wait_until(lambda: "✓ Скорость выплат" in mgr.buttons(), 5)
        answer = await mgr.press("Готово")
        assert answer.get("text") == "Сохранено: Скорость выплат"
        await mgr.wait_text(f"Комментарий 1 из {left}" if left else "Все комментарии распознаны")

    async with app.services.sessionmaker() as s:
        rows = (await s.scalars(select(ResponseTheme).where(ResponseTheme.manual.is_not(None)))).all()
        counts = await stored.theme_counts(s, campaign_id)
    assert len(rows) == 3 and {r.manual for r in rows} == {"payouts"}
    assert all(r.tagged_by == MANAGER_ID and r.tagged_at is not None for r in rows)
    assert dict(counts.areas)["payouts"] == 5 and counts.unclassified == 0 and counts.tagged == 3
    # The classifier learned the word for this install: a fresh comment with it is a payout matter.
    fresh = themes.analyse("шмурдяк бы почаще")
    assert fresh.areas == ("payouts",) and fresh.confident

    await mgr.send_text("/themes")
    again = await mgr.wait_text("Размечено вручную: 3")
    assert "Скорость выплат: 5" in again["text"] and "Все комментарии распознаны" in again["text"]


async def test_done_without_areas_and_bad_callback_data(app: App, tg: FakeTelegram) -> None:
    campaign_id = await _seed(app)
    mgr = _manager(tg)
    await mgr.send_text("/themes")
    await mgr.wait_text("Темы комментариев")
    await mgr.press("Разметить (3)")
    await mgr.wait_text("Комментарий 1 из 3")
    await mgr.press("✓ Другое")
    await tg.wait_until(lambda: "Другое" in mgr.buttons(), 5)
    assert "Отметьте хотя бы одну тему" in (await mgr.press("Готово"))["text"]

    async with app.services.sessionmaker() as s:
        rid = (await stored.pending_at(s, campaign_id, 0)).response_id  # type: ignore[union-attr]
    too_many = 1 << len(areas.active())
    forged = [
        "tt:abc:1:0:0:0",  # does not parse
        ThemeToggleCb(campaign_id=campaign_id, response_id=rid, offset=0, mask=0, area=99).pack(),
        ThemeToggleCb(campaign_id=campaign_id, response_id=rid, offset=-1, mask=0, area=0).pack(),
        ThemeDoneCb(campaign_id=campaign_id, response_id=rid, offset=0, mask=too_many).pack(),
        ThemeDoneCb(campaign_id=0, response_id=rid, offset=0, mask=1).pack(),
        "tp:1:99999999999",
    ]
    for data in forged:
        answer = await mgr.press_data(data)
        assert "Кнопка устарела" in answer.get("text", ""), data
    gone = ThemeDoneCb(campaign_id=campaign_id, response_id=987_654, offset=0, mask=1).pack()
    assert "больше нет" in (await mgr.press_data(gone))["text"]
    async with app.services.sessionmaker() as s:
        assert (await s.scalars(select(ResponseTheme).where(ResponseTheme.manual.is_not(None)))).all() == []


async def test_non_managers_are_refused(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    campaign_id = await _seed(app)
    partner = make_user(7001)
    outsider_group = SimUser(tg, user_id=7002, first_name="Чужой", chat=-1_000_999)
    for user in (partner, outsider_group):
        await user.send_text("/themes")
        assert "для менеджеров" in (await user.wait_reply())["text"]
    async with app.services.sessionmaker() as s:
        rid = (await stored.pending_at(s, campaign_id, 0)).response_id  # type: ignore[union-attr]
    done = ThemeDoneCb(campaign_id=campaign_id, response_id=rid, offset=0, mask=1).pack()
    answer = await partner.press_data(done)
    assert "для менеджеров" in answer["text"]
    async with app.services.sessionmaker() as s:
        assert (await s.get(ResponseTheme, rid)).manual is None  # type: ignore[union-attr]


async def test_no_campaign_and_bad_argument(app: App, tg: FakeTelegram) -> None:
    mgr = _manager(tg)
    await mgr.send_text("/themes")
    assert "Нет текущей кампании" in (await mgr.wait_reply())["text"]
    await mgr.send_text("/themes abc")
    assert "Формат: /themes" in (await mgr.wait_reply())["text"]
    await mgr.send_text("/themes 4242")
    assert "#4242 не найдена" in (await mgr.wait_reply())["text"]


async def test_a_survey_comment_is_classified_when_it_arrives(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser]
) -> None:
    await tg.wait_until(themes.ready, 60)  # built at start-up in the background (once per process)
    user = make_user(1001)
    await user.send_text("/start")
    await user.wait_text("/survey")
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("4")
    await user.wait_text("Что нам стоит улучшить")
    await user.send_text("креосы выгорают, а кэшаут раз в месяц")
    await user.wait_text("Какие области")
    async with app.services.sessionmaker() as s:
        row = (await s.scalars(select(ResponseTheme))).one()
    assert set(row.auto_areas()) == {"marketing", "payouts"} and row.confidence >= themes.CONFIDENT
    assert row.manual is None

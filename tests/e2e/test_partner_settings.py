"""/start with invite codes, /cancel, /stop, /language, /forget_me, /help."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Partner, Response
from tests.helpers import add_partner

pytestmark = pytest.mark.asyncio


async def _partner(app: App, **where: object) -> Partner | None:
    async with app.services.sessionmaker() as s:
        query = select(Partner)
        for key, value in where.items():
            query = query.where(getattr(Partner, key) == value)
        return await s.scalar(query)


async def test_start_registers_partner_with_language(app: App, make_user) -> None:
    user = make_user(3001, first_name="<b>Bob</b> & Co", language_code="en-US")
    await user.send_text("/start")
    reply = await user.wait_reply()
    assert "Hello, <b>Bob</b> & Co!" in reply["text"]  # escaped on the way out, shown as typed
    partner = await _partner(app, telegram_id=3001)
    assert partner is not None and partner.language == "en" and partner.started_at is not None


async def test_unknown_language_falls_back_to_default(app: App, make_user) -> None:
    user = make_user(3002, language_code="de")
    await user.send_text("/start")
    reply = await user.wait_reply()
    assert "Здравствуйте" in reply["text"]


async def test_invite_code_links_partner_and_cannot_be_reused(app: App, make_user) -> None:
    async with app.services.sessionmaker() as s:
        await add_partner(
            s, external_id="ext-1", name="Blog & Co", segment="bloggers", invite_code="CODE12345678abcd"
        )
        await s.commit()
    user = make_user(3003)
    await user.send_text("/start CODE12345678abcd")
    await user.wait_text("связан с партнером «Blog & Co»")
    partner = await _partner(app, external_id="ext-1")
    assert partner is not None and partner.telegram_id == 3003 and partner.invite_used_at is not None

    intruder = make_user(3004)
    await intruder.send_text("/start CODE12345678abcd")
    reply = await intruder.wait_reply()
    assert "не подошла" in reply["text"]
    partner = await _partner(app, external_id="ext-1")
    assert partner is not None and partner.telegram_id == 3003

    stranger = make_user(3005)
    await stranger.send_text("/start nosuchcode")
    reply = await stranger.wait_reply()
    assert "не подошла" in reply["text"]
    assert await _partner(app, telegram_id=3005) is None


async def test_invite_after_self_registration_keeps_answers(app: App, make_user) -> None:
    async with app.services.sessionmaker() as s:
        await add_partner(s, external_id="ext-2", name="Agency", invite_code="INVITEcode222222")
        await s.commit()
    user = make_user(3006)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("8")
    await user.wait_reply()
    await user.send_text("/start INVITEcode222222")
    await user.wait_text("связан с партнером")
    async with app.services.sessionmaker() as s:
        partner = await s.scalar(select(Partner).where(Partner.external_id == "ext-2"))
        assert partner is not None and partner.telegram_id == 3006
        scores = (await s.scalars(select(Response.score).where(Response.partner_id == partner.id))).all()
        total = (await s.scalars(select(Partner))).all()
    assert list(scores) == [8]
    assert len(total) == 1


async def test_cancel_keeps_answers(app: App, make_user) -> None:
    user = make_user(3007)
    await user.send_text("/cancel")
    assert "нечего отменять" in (await user.wait_reply())["text"]
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("7")
    await user.wait_reply()
    await user.send_text("/cancel")
    assert "сохранено" in (await user.wait_reply())["text"]
    await user.send_text("вот мой комментарий")
    assert "/survey" in (await user.wait_reply())["text"]  # no longer in the survey
    async with app.services.sessionmaker() as s:
        response = await s.scalar(select(Response))
    assert response is not None and response.score == 7 and response.comment is None


async def test_stop_needs_confirmation_and_start_opts_back_in(app: App, make_user) -> None:
    user = make_user(3008)
    await user.send_text("/start")
    await user.wait_reply()
    await user.send_text("/stop")
    await user.wait_text("Отписаться?")
    await user.press("Нет, отмена")
    await user.wait_text("остаетесь с нами")
    assert (await _partner(app, telegram_id=3008)).opted_out is False  # type: ignore[union-attr]
    await user.send_text("/stop")
    await user.wait_text("Отписаться?")
    await user.press("Да, отписаться")
    await user.wait_text("опросов больше не будет")
    assert (await _partner(app, telegram_id=3008)).opted_out is True  # type: ignore[union-attr]
    await user.send_text("/start")
    await user.wait_text("снова получаете опросы")
    assert (await _partner(app, telegram_id=3008)).opted_out is False  # type: ignore[union-attr]


async def test_language_switch(app: App, make_user) -> None:
    user = make_user(3009)
    await user.send_text("/language")
    await user.wait_reply()
    await user.press("English")
    await user.wait_text("Language: English")
    await user.send_text("/survey")
    q1 = await user.wait_reply()
    assert "How likely are you to recommend" in q1["text"]
    await user.send_text("/language")
    await user.wait_reply()
    await user.press("Русский")
    await user.wait_text("Язык: русский")
    assert (await _partner(app, telegram_id=3009)).language == "ru"  # type: ignore[union-attr]


async def test_forget_me_erases_personal_data_keeps_scores(app: App, make_user) -> None:
    async with app.services.sessionmaker() as s:
        await add_partner(
            s,
            external_id="ext-9",
            name="Ivan Petrov",
            username="ivan",
            segment="webmasters",
            invite_code="FORGETcode999999",
            monthly_revenue=1000,
        )
        await s.commit()
    user = make_user(3010, username="ivan")
    await user.send_text("/start FORGETcode999999")
    await user.wait_text("связан")
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("3")
    await user.wait_reply()
    await user.send_text("личный комментарий")
    await user.wait_text("Какие области")
    await user.press("Готово")
    await user.wait_text("Спасибо")

    await user.send_text("/forget_me")
    confirm = await user.wait_text("Удалить ваши данные?")
    assert "анонимные" in confirm["text"]
    await user.press("Нет, отмена")
    await user.wait_text("ничего не изменилось")
    assert await _partner(app, telegram_id=3010) is not None
    await user.send_text("/forget_me")
    await user.wait_text("Удалить ваши данные?")
    await user.press("Да, удалить мои данные")
    await user.wait_text("данные удалены")
    async with app.services.sessionmaker() as s:
        partner = await s.scalar(select(Partner).where(Partner.segment == "webmasters"))
        response = await s.scalar(select(Response))
    assert partner is not None
    assert (partner.name, partner.username, partner.telegram_id, partner.external_id) == (
        None,
        None,
        None,
        None,
    )
    assert partner.monthly_revenue is None and partner.erased_at is not None
    assert response is not None and response.score == 3 and response.comment is None
    # Writing again starts from scratch, as a stranger.
    await user.send_text("/forget_me")
    assert "нет ваших данных" in (await user.wait_reply())["text"]


async def test_help_lists_commands(app: App, make_user) -> None:
    user = make_user(3011, language_code="en")
    await user.send_text("/help")
    text = (await user.wait_reply())["text"]
    for command in ("/survey", "/language", "/cancel", "/stop", "/start", "/forget_me"):
        assert command in text


async def test_cancel_outside_the_survey_says_what_it_cancelled(app: App, admin) -> None:
    from storage.models import Announcement
    from tests.helpers import add_campaign, add_response

    async with app.services.sessionmaker() as s:
        campaign = await add_campaign(s, "Q3")
        partner = await add_partner(s, telegram_id=3099, started_at=None)
        await add_response(s, campaign, partner, 9)
        await s.commit()
    await admin.send_text(f"/announce {campaign.id}")
    await admin.wait_reply()
    await admin.send_text("/cancel")
    reply = await admin.wait_reply()
    assert reply["text"] == "Отменено."
    async with app.services.sessionmaker() as s:
        assert (await s.scalars(select(Announcement))).all() == []

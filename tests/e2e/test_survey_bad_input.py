"""Bad input gets a clear, friendly reply and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.app import App
from bot.callbacks import DriverCb, ScoreCb
from storage.models import Partner, Response
from storage.models import campaign as c
from tests.fakebot import FakeTelegram
from tests.helpers import add_campaign

pytestmark = pytest.mark.asyncio


async def _responses(app: App) -> list[Response]:
    async with app.services.sessionmaker() as s:
        return list(
            (
                await s.scalars(
                    select(Response).options(selectinload(Response.drivers)).order_by(Response.id)
                )
            ).all()
        )


async def _to_comment_step(user, score: str = "6") -> None:
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press(score)
    await user.wait_text(
        "Что нам стоит улучшить"
        if int(score) < 7
        else "чтобы вы порекомендовали нас"
        if int(score) < 9
        else "Что вы больше всего цените"
    )


@pytest.mark.parametrize("text", ["11", "-1", "7.5", "семь", "10 из 10", "٧", "²", "9" * 30])
async def test_bad_typed_scores_are_refused(app: App, make_user, text: str) -> None:
    user = make_user(2001)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.send_text(text)
    reply = await user.wait_reply()
    assert "от 0 до 10" in reply["text"]
    assert await _responses(app) == []
    await user.send_text("8")  # the survey still works afterwards
    await user.wait_text("чтобы вы порекомендовали нас")  # a passive's question 2
    assert [r.score for r in await _responses(app)] == [8]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_non_text_where_text_expected(app: App, make_user, kind: str) -> None:
    user = make_user(2002)
    await _to_comment_step(user)
    await getattr(user, f"send_{kind}")()
    reply = await user.wait_reply()
    assert "только текст" in reply["text"]
    (response,) = await _responses(app)
    assert response.comment is None and response.stage == "comment"


async def test_non_text_where_score_expected(app: App, make_user) -> None:
    user = make_user(2003)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.send_sticker()
    reply = await user.wait_reply()
    assert "выберите оценку кнопкой" in reply["text"]
    assert await _responses(app) == []


async def test_too_long_comment(app: App, make_user) -> None:
    user = make_user(2004)
    await _to_comment_step(user)
    await user.send_text("а" * 5000)
    reply = await user.wait_reply()
    assert "Слишком длинный ответ" in reply["text"] and "1000" in reply["text"]
    (response,) = await _responses(app)
    assert response.comment is None
    await user.send_text("короче")
    await user.wait_text("Какие области")
    (response,) = await _responses(app)
    assert response.comment == "короче"


async def test_text_where_buttons_expected(app: App, make_user) -> None:
    user = make_user(2005)
    await _to_comment_step(user)
    await user.send_text("поддержка")
    await user.wait_text("Какие области")
    await user.send_text("поддержка и выплаты")
    reply = await user.wait_reply()
    assert "кнопками" in reply["text"]
    (response,) = await _responses(app)
    assert response.drivers == []


async def test_tap_on_closed_campaign(app: App, make_user) -> None:
    user = make_user(2006)
    await user.send_text("/start")
    await user.wait_reply()
    async with app.services.sessionmaker() as s:
        closed = await add_campaign(s, "Old", status=c.CLOSED)
        await s.commit()
    answer = await user.press_data(ScoreCb(campaign_id=closed.id, score=9).pack())
    assert "опрос уже закрыт" in (answer or {}).get("text", "")
    assert await _responses(app) == []


async def test_forged_callbacks(app: App, make_user, tg: FakeTelegram) -> None:
    victim = make_user(2007)
    await _to_comment_step(victim)
    await victim.press("Пропустить")
    await victim.wait_text("Какие области")
    (victim_response,) = await _responses(app)

    attacker = make_user(2008)
    await attacker.send_text("/start")
    await attacker.wait_reply()
    # Another partner's response id in the drivers button.
    answer = await attacker.press_data(DriverCb(response_id=victim_response.id, area="support").pack())
    assert "больше не действует" in (answer or {}).get("text", "")
    # Impossible score, unknown area, unknown campaign, garbage.
    async with app.services.sessionmaker() as s:
        ongoing = await s.scalar(select(Response.campaign_id))
    for data in (
        f"s:{int(ongoing or 1)}:42",  # the factory itself refuses to build it now
        DriverCb(response_id=victim_response.id, area="free_money").pack(),
        ScoreCb(campaign_id=99999, score=5).pack(),
        "s:abc:def",
        "totally-unknown",
    ):
        answer = await attacker.press_data(data)
        assert answer is not None and answer.get("text"), data
    (after,) = await _responses(app)
    assert after.drivers == [] and after.score == victim_response.score
    async with app.services.sessionmaker() as s:
        count = await s.scalar(select(func.count(Response.id)))
        attacker_partner = await s.scalar(select(Partner).where(Partner.telegram_id == 2008))
    assert count == 1 and attacker_partner is not None


async def test_old_buttons_after_finishing(app: App, make_user) -> None:
    user = make_user(2009)
    await _to_comment_step(user)
    await user.press("Пропустить")
    await user.wait_text("Какие области")
    drivers_msg = user.last()
    await user.press("Готово")
    await user.wait_text("Спасибо! Ваш ответ сохранен")
    (response,) = await _responses(app)
    answer = await user.press_data(
        DriverCb(response_id=response.id, area="support").pack(), message_id=drivers_msg["message_id"]
    )
    assert "уже ответили" in (answer or {}).get("text", "")
    (after,) = await _responses(app)
    assert after.drivers == []


async def test_uninvited_partner_cannot_answer_a_targeted_campaign(app: App, make_user) -> None:
    user = make_user(2010)
    await user.send_text("/start")
    await user.wait_reply()
    async with app.services.sessionmaker() as s:
        other = await add_campaign(s, "VIP only")
        await s.commit()
    answer = await user.press_data(ScoreCb(campaign_id=other.id, score=9).pack())
    assert "не для вас" in (answer or {}).get("text", "")
    assert await _responses(app) == []


async def test_unknown_text_outside_survey(app: App, make_user) -> None:
    user = make_user(2011)
    await user.send_text("привет")
    reply = await user.wait_reply()
    assert "/survey" in reply["text"]


async def test_commands_typed_mid_survey_reach_their_handlers(app: App, make_user) -> None:
    """A command is never taken for a score or a comment; the survey step is kept."""
    user = make_user(2020)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.send_text("/help")  # at the score step
    assert "/forget_me" in (await user.wait_reply())["text"]
    await user.press("6")
    await user.wait_text("Что нам стоит улучшить")
    await user.send_text("/language")  # at the comment step
    assert "English" in str((await user.wait_reply()).get("reply_markup"))
    await user.send_text("Больше промо-материалов")  # the comment step is still open
    await user.wait_text("Какие области")
    (response,) = await _responses(app)
    assert response.comment == "Больше промо-материалов" and response.stage == "drivers"

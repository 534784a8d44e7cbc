"""Adding a survey question is one step, a locale key and a migration (issue 25, item 4).

Each test adds "What one thing should we change first?" the way a real addition would: a step
in the survey's definition (bot/survey_definition.py), its wording in a locale file of its
own, and a column added by an Alembic operation, as its migration would add it. A partner then
walks through the survey on the fake Bot API and meets the question in its place.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from bot.app import App
from bot.i18n import LOCALES_DIR, Translator
from bot.survey_definition import CATEGORIES, SURVEY, SurveyDefinition, open_step
from storage.db import create_engine
from storage.migrate import upgrade_async
from storage.models import FsmRecord, Response
from storage.models.response import DETRACTOR
from tests.helpers import add_campaign, add_partner, invite

pytestmark = pytest.mark.asyncio

KEY = "q-change-first"
WORDING = {
    "ru": "Что одно нам стоит изменить в первую очередь?",
    "en": "What one thing should we change first?",
}
AREAS_RU = "Какие области"
THANKS_RU = "Спасибо! Ваш ответ сохранен"
IMPROVE_RU = "Что нам стоит улучшить"  # a detractor's question 2
VALUE_RU = "Что вы больше всего цените"  # a promoter's question 2


def _locales_with_key(root: Path) -> Path:
    """bot/locales plus one file holding the new key, in every language."""
    shutil.copytree(LOCALES_DIR, root)
    for lang, text in WORDING.items():
        (root / lang / "change_first.ftl").write_text(f"{KEY} = {text}\n", encoding="utf-8")
    return root


async def _migrate(db_url: str) -> None:
    """The schema at head, then the new question's migration: one column on responses."""
    await upgrade_async(db_url)

    def add_column(connection: sa.Connection) -> None:
        Operations(MigrationContext.configure(connection)).add_column(
            "responses", sa.Column("change_first", sa.Text(), nullable=True)
        )

    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(add_column)
    finally:
        await engine.dispose()


def _survey(after: str, categories: Iterable[str] = CATEGORIES) -> SurveyDefinition:
    """The standard survey with the new question asked right after ``after``."""
    step = open_step("change_first", KEY, column="change_first", categories=categories)
    return SURVEY.with_step(step, after=after)


async def _start(make_app: Any, db_url: str, tmp_path: Path, survey: SurveyDefinition) -> App:
    await _migrate(db_url)
    translator = Translator("ru", root=_locales_with_key(tmp_path / "locales"))
    return await make_app(survey=survey, translator=translator)


async def _stored(app: App) -> dict[str, Any]:
    """The one response, its new column included, read by column name."""
    async with app.services.sessionmaker() as s:
        query = sa.text("SELECT score, comment, change_first, stage, completed_at FROM responses")
        rows = (await s.execute(query)).mappings().all()
    assert len(rows) == 1
    return dict(rows[0])


def _texts(user: Any) -> list[str]:
    return [m.get("text") or "" for m in user.messages()]


async def test_new_question_is_asked_in_its_place_and_stored(
    make_app: Any, make_user: Any, db_url: str, tmp_path: Path
) -> None:
    """Score, question 2, the new question, the areas, the thanks: each answer where it belongs."""
    app = await _start(make_app, db_url, tmp_path, _survey(after="comment"))
    user = make_user(1201)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("3")
    await user.wait_text(IMPROVE_RU)
    await user.send_text("Выплаты")
    asked = await user.wait_text(WORDING["ru"])
    assert user.buttons(asked) == ["Пропустить"]
    assert not any(AREAS_RU in t for t in _texts(user))  # the areas come after it, not before
    stored = await _stored(app)
    assert (stored["comment"], stored["change_first"], stored["stage"]) == ("Выплаты", None, "change_first")

    await user.send_text("Сроки <выплат> & отчеты")
    await user.wait_text(AREAS_RU)
    # Answered: the new question keeps its wording and loses its Skip button.
    edited = next(m for m in user.messages() if m["message_id"] == asked["message_id"])
    assert edited["text"] == WORDING["ru"] and not edited.get("reply_markup")
    await user.press("Скорость выплат")
    await user.press("Готово")
    await user.wait_text(THANKS_RU)

    stored = await _stored(app)
    assert stored["score"] == 3 and stored["comment"] == "Выплаты"
    assert stored["change_first"] == "Сроки <выплат> & отчеты"  # plain text, as typed
    assert stored["stage"] == "done" and stored["completed_at"] is not None
    texts = _texts(user)
    markers = (IMPROVE_RU, WORDING["ru"], AREAS_RU)
    order = [next(i for i, t in enumerate(texts) if marker in t) for marker in markers]
    assert order == sorted(order)


async def test_new_last_question_skipped_then_thanks(
    make_app: Any, make_user: Any, db_url: str, tmp_path: Path
) -> None:
    """Asked after the areas, in English; skipped, it is stored as no answer and the survey ends."""
    app = await _start(make_app, db_url, tmp_path, _survey(after="drivers"))
    user = make_user(1202, first_name="Ann", language_code="en")
    await user.send_text("/survey")
    q1 = await user.wait_reply()
    await user.press("9")
    await user.wait_text("What do you value most")
    await user.send_text("Fast payouts")
    await user.wait_text("Which areas influenced your score most?")
    await user.press("Commission size")
    await user.press("Done")
    asked = await user.wait_text(WORDING["en"])
    assert not any("Thank you! Your answer is saved" in t for t in _texts(user))
    # The areas question shows what was chosen and has no keyboard left.
    areas = next(m for m in user.messages() if "Which areas" in (m.get("text") or ""))
    assert "Commission size" in areas["text"] and not areas.get("reply_markup")
    assert (await _stored(app))["stage"] == "change_first"

    await user.press("Skip")
    await user.wait_text("Thank you! Your answer is saved")
    skipped = next(m for m in user.messages() if m["message_id"] == asked["message_id"])
    assert "Question skipped." in skipped["text"] and not skipped.get("reply_markup")
    # Question 1 shows the final score, its keyboard gone.
    first = next(m for m in user.messages() if m["message_id"] == q1["message_id"])
    assert "Your score: 9." in first["text"] and not first.get("reply_markup")
    stored = await _stored(app)
    assert stored["comment"] == "Fast payouts" and stored["change_first"] is None
    assert stored["stage"] == "done" and stored["completed_at"] is not None


async def test_new_question_for_one_category_only(
    make_app: Any, make_user: Any, db_url: str, tmp_path: Path
) -> None:
    """Asked of detractors only: a promoter goes from question 2 straight to the areas."""
    app = await _start(make_app, db_url, tmp_path, _survey(after="comment", categories=(DETRACTOR,)))
    user = make_user(1203)
    await user.send_text("/survey")
    await user.wait_reply()
    await user.press("10")
    await user.wait_text(VALUE_RU)
    await user.send_text("Поддержка")
    await user.wait_text(AREAS_RU)
    await user.press("Готово")
    await user.wait_text(THANKS_RU)
    assert not any(WORDING["ru"] in t for t in _texts(user))
    stored = await _stored(app)
    assert stored["change_first"] is None and stored["stage"] == "done"


@pytest.mark.parametrize("added", [False, True])
async def test_partner_mid_survey_before_a_deploy_goes_on(
    make_app: Any, make_user: Any, db_url: str, tmp_path: Path, added: bool
) -> None:
    """A partner left at question 2 before the deploy (FSM row and response as the old code
    stored them) answers it after: the next step is the new question, or the areas as before."""
    app = await _start(make_app, db_url, tmp_path, _survey(after="comment") if added else SURVEY)
    async with app.services.sessionmaker() as s:
        partner = await add_partner(s, telegram_id=1204, name="Партнер", language="ru")
        campaign = await add_campaign(s)
        await invite(s, campaign, partner)
        response = Response(campaign_id=campaign.id, partner_id=partner.id, score=4, stage="comment")
        s.add(response)
        await s.flush()
        data = f'{{"campaign_id":{campaign.id},"response_id":{response.id},"round":0}}'
        s.add(FsmRecord(key="fsm:1204:1204:default", state="Survey:comment", data=data))
        await s.commit()
    user = make_user(1204)
    await user.send_text("Долгие выплаты")
    await user.wait_text(WORDING["ru"] if added else AREAS_RU)
    stored = await _stored(app)
    assert stored["comment"] == "Долгие выплаты"
    assert stored["stage"] == ("change_first" if added else "drivers")

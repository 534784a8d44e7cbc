"""Counts read as words in both languages, /themes agrees with its button, and a /newcampaign
whose reply Telegram would refuse creates nothing (issue 26, item 10)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.i18n import Translator
from storage.models import Campaign, ResponseTheme
from storage.models import campaign as c
from tests.e2e.test_sending_fanout import seed
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, add_campaign, add_partner, add_response


@pytest.mark.parametrize(
    ("locale", "n", "expected"),
    [
        ("en", 1, "1 answer"),
        ("en", 2, "2 answers"),
        ("ru", 1, "1 ответ"),
        ("ru", 4, "4 ответа"),
        ("ru", 5, "5 ответов"),
        ("ru", 21, "21 ответ"),
        ("ru", 11, "11 ответов"),
    ],
)
def test_answer_counts_are_plural_forms(locale: str, n: int, expected: str) -> None:
    text = Translator().get(locale, "dg-nps", nps="+10", margin=" ± 5", n=n, few="")
    assert text.endswith(expected), text


@pytest.mark.parametrize(("n", "word"), [(1, "1 партнёр"), (4, "4 партнёра"), (5, "5 партнёров")])
async def test_draft_audience_in_words(tg: FakeTelegram, app: App, admin: SimUser, n: int, word: str) -> None:
    await seed(app, n, base=7_700_000)
    await admin.send_text("/newcampaign Опрос")
    draft = (await admin.wait_reply())["text"]
    assert f"Аудитория сейчас: {word}" in draft, draft
    if n == 1:
        en_admin = SimUser(tg, user_id=admin.user_id, first_name="Admin", language_code="en")
        await en_admin.send_text("/newcampaign Poll")
        assert "Audience now: 1 partner\n" in (await en_admin.wait_reply())["text"]


async def test_newcampaign_too_long_for_telegram_is_refused_without_a_draft(app: App, admin: SimUser) -> None:
    await admin.send_text("/newcampaign Опрос segment=" + "x" * 4000)
    reply = (await admin.wait_reply())["text"]
    assert "Кампания не создана" in reply and "4096" in reply.replace("\xa0", "").replace(" ", "")
    async with app.services.sessionmaker() as s:
        assert (
            await s.scalar(select(func.count()).select_from(Campaign).where(Campaign.kind != c.ONGOING)) == 0
        )


async def test_themes_never_says_nothing_to_tag_beside_a_tag_button(tg: FakeTelegram, app: App) -> None:
    async with app.services.sessionmaker() as s:
        campaign = await add_campaign(s, "Осень", status=c.RUNNING)
        ids = []
        for i in range(3):
            partner = await add_partner(s, external_id=f"T{i}", telegram_id=7_710_000 + i)
            ids.append((await add_response(s, campaign, partner, 5, comment=f"просто так {i}")).id)
        # Confident "other": counted under Other, yet waiting for a person, as the button says.
        await s.execute(
            update(ResponseTheme)
            .where(ResponseTheme.response_id.in_(ids))
            .values(areas="other", confidence=0.99, manual=None)
        )
        await s.commit()
    manager = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    await manager.send_text("/themes")
    reply = await manager.wait_reply()
    buttons = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Разметить (3)"], buttons
    assert ": 0" not in reply["text"] and "Ждут разметки: 3 комментария" in reply["text"], reply["text"]

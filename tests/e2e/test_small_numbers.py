"""Small numbers are said in words (issue 26, item 3): under ten answers no margin and no verdict,
never "± 0.0", every chart point with its n, the NPS axis within −100..100, phrases seen twice."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.digest.chart import ChartLabels, ChartPoint, build_figure
from storage.analytics.phrases import top_phrases
from storage.models import utcnow
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, add_campaign, add_partner, add_response

LABELS = ChartLabels("NPS", "NPS", "%", "P", "S", "D")


async def _answers(app: App, title: str, scores: list[int], *, days_ago: int, base: int) -> None:
    async with app.services.sessionmaker() as s:
        campaign = await add_campaign(s, title, launched_at=utcnow() - timedelta(days=days_ago))
        for i, score in enumerate(scores):
            partner = await add_partner(s, external_id=f"S{base + i}", telegram_id=base + i)
            await add_response(s, campaign, partner, score)
        await s.commit()


async def test_one_answer_gets_no_margin_and_no_verdict(tg: FakeTelegram, app: App) -> None:
    tg.per_chat_burst = 30
    await _answers(app, "Весна", [9] * 8 + [3] * 4, days_ago=30, base=7_800_000)
    await _answers(app, "Осень", [10], days_ago=1, base=7_800_100)
    manager = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    await manager.send_text("/nps")
    reply = (await manager.wait_reply())["text"]
    assert "+100" in reply and "1 ответ" in reply and "слишком мало ответов" in reply, reply
    assert "±" not in reply.split("\n")[0]
    assert "в пределах погрешности" not in reply and "реальн" not in reply.lower(), reply


async def test_all_promoters_with_enough_answers_is_not_certain(tg: FakeTelegram, app: App) -> None:
    await _answers(app, "Осень", [10] * 12, days_ago=1, base=7_800_200)
    manager = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    await manager.send_text("/nps")
    reply = (await manager.wait_reply())["text"]
    assert "+100 ±" in reply and "± 0,0" not in reply and "12 ответов" in reply, reply


def test_chart_points_show_n_and_the_axis_stays_within_100() -> None:
    points = [
        ChartPoint("Пилот", 100.0, None, 1, 0, 0),
        ChartPoint("Весна", 95.0, 12.0, 20, 1, 0),
        ChartPoint("Осень", -90.0, 15.0, 0, 2, 30),
    ]
    fig = build_figure(points, LABELS)
    top, bottom = fig.axes[:2]
    low, high = top.get_ylim()
    assert -100 <= low and high <= 100
    ticks = [t.get_text() for t in bottom.get_xticklabels()]
    assert ticks == ["Пилот\nn=1", "Весна\nn=21", "Осень\nn=32"]


def test_frequent_phrases_are_seen_at_least_twice() -> None:
    assert top_phrases(["медленные выплаты"]) == []
    phrases = dict(top_phrases(["медленные выплаты", "выплаты задерживают", "поддержка отличная"]))
    assert phrases == {"выплаты": 2}

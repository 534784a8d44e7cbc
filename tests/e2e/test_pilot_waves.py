"""A pilot and the launch after it are one wave (issue 26, item 2): the launch does not ask the
pilot's audience again, the headline pools the wave, and a pilot is never the "previous" figure."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Campaign, Partner
from tests.e2e.test_sending_fanout import seed
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID, add_response, invited

BASE = 7_900_000


@pytest.fixture(autouse=True)
def chatty_admin(tg: FakeTelegram) -> None:
    """The admin gets several replies in a row; per-chat flood control is not under test."""
    tg.per_chat_burst = 30


async def launch(admin: SimUser, args: str) -> tuple[int, str]:
    await admin.send_text(f"/newcampaign {args}")
    draft = (await admin.wait_reply())["text"]
    campaign_id = int(re.search(r"#(\d+)", draft).group(1))  # type: ignore[union-attr]
    await admin.press("🚀 Запустить")
    await admin.wait_text("рассылка завершена", timeout=15)
    return campaign_id, draft


async def answer(app: App, campaign_id: int, scores: dict[int, int]) -> None:
    async with app.services.sessionmaker() as s:
        campaign = await s.get(Campaign, campaign_id)
        assert campaign is not None
        for telegram_id, score in scores.items():
            partner = await s.scalar(select(Partner).where(Partner.telegram_id == telegram_id))
            assert partner is not None
            await add_response(s, campaign, partner, score)
        await s.commit()


async def test_pilot_and_launch_are_one_wave(tg: FakeTelegram, app: App, admin: SimUser) -> None:
    everyone = set(await seed(app, 10, base=BASE))
    pilot_id, _ = await launch(admin, "Пилот sample=3")
    pilot = await invited(app, pilot_id)
    assert len(pilot) == 3
    answerer = min(pilot)
    await answer(app, pilot_id, {answerer: 10})  # one pilot answer, two pilot non-responders

    full_id, draft = await launch(admin, "Весна force=yes")  # force: even so, nobody twice
    assert "Аудитория сейчас: 7 партнёров" in draft and f"волну пилота #{pilot_id}" in draft, draft
    full = await invited(app, full_id)
    assert full == everyone - pilot  # neither the pilot's answerer nor its non-responders again
    async with app.services.sessionmaker() as s:
        assert await s.scalar(select(Campaign.wave_id).where(Campaign.id == pilot_id)) == full_id

    rest = sorted(full)
    await answer(app, full_id, dict(zip(rest, [0, 0, 0, 0, 5, 6, 9], strict=True)))
    manager = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    await manager.send_text("/nps")
    reply = (await manager.wait_reply())["text"]
    # The wave: 2 promoters (10 from the pilot, 9), 6 detractors of 8 answers -> -50.
    assert "«Весна»" in reply and "50" in reply and "8 ответов" in reply, reply
    assert "Пилот" not in reply and "реальн" not in reply.lower(), reply

    await manager.send_text(f"/report {pilot_id}")
    report = await manager.wait_text("NPS", timeout=15)
    assert "Весна" not in report["text"], report["text"]  # a pilot is reported on its own


async def test_segment_campaign_is_never_the_programs_previous(
    tg: FakeTelegram, app: App, admin: SimUser
) -> None:
    await seed(app, 4, base=BASE + 100, segment="gold")
    await seed(app, 4, base=BASE + 200, segment="silver")
    first, _ = await launch(admin, "Зима")
    await answer(app, first, {BASE + 100: 9, BASE + 200: 9})
    gold, _ = await launch(admin, "Золото segment=gold force=yes")
    await answer(app, gold, {BASE + 101: 0})
    last, _ = await launch(admin, "Весна force=yes")
    await answer(app, last, {BASE + 102: 10, BASE + 201: 3})
    manager = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    await manager.send_text("/nps")
    reply = (await manager.wait_reply())["text"]
    assert "«Весна»" in reply and "к «Зима»" in reply and "Золото" not in reply, reply

"""Every admin command and button refused for anyone else, with nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.callbacks import CampaignCb
from storage.models import Campaign, Delivery, Partner
from storage.models import campaign as c
from tests.fakebot import FakeTelegram
from tests.helpers import add_campaign, add_partner

REFUSAL = "Эта команда доступна только администраторам программы"


async def state(app: App) -> list[Any]:
    """Everything an admin command could change."""
    async with app.services.sessionmaker() as s:
        found: list[Any] = []
        for model in (Campaign, Delivery, Partner):
            cols = [col.key for col in model.__table__.columns]  # type: ignore[attr-defined]
            rows = (await s.scalars(select(model))).all()
            found.append(sorted(tuple(str(getattr(r, col)) for col in cols) for r in rows))
        return found


async def test_non_admin_is_refused_everything(tg: FakeTelegram, app: App, make_user) -> None:
    tg.per_chat_burst = 30
    async with app.services.sessionmaker() as s:
        await add_partner(s, external_id="P1", telegram_id=8_100_001, name="Партнер")
        await add_partner(s, external_id="P2", telegram_id=8_100_002, name="Партнер 2")
        draft = await add_campaign(s, "Черновик", status=c.DRAFT, launched_at=None)
        running = await add_campaign(s, "Идет")
        paused = await add_campaign(s, "Пауза", status=c.PAUSED)
        await s.commit()
    before = await state(app)
    intruder = make_user(8_100_001, first_name="Партнер")  # a partner, not an admin

    commands = [
        "/newcampaign Взлом segment=gold",
        f"/launch {draft.id}",
        f"/pause {running.id}",
        f"/resume {paused.id}",
        f"/close {running.id}",
        f"/remind {running.id}",
        "/campaigns",
        "/schedule",
        "/partners",
        "/invite P1",
        "/invites",
        "/import",
    ]
    for command in commands:
        await intruder.send_text(command)
        reply = await intruder.wait_reply()
        assert REFUSAL in reply["text"], command
    await intruder.send_document("p.csv", b"external_id,name\nP1,Hacked\n", caption="/import")
    assert REFUSAL in (await intruder.wait_reply())["text"]
    for action in ("launch", "preview", "cancel"):
        answer = await intruder.press_data(CampaignCb(action=action, campaign_id=draft.id).pack())
        assert REFUSAL in answer.get("text", ""), action

    assert await state(app) == before
    assert not tg.calls_for("sendDocument")
    assert not [call for call in tg.calls_for("sendMessage") if call.chat_id == 8_100_002]

"""No update Telegram delivered is lost or applied twice; conversations survive restarts."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from bot.app import App
from storage.db import create_engine, create_sessionmaker
from storage.migrate import upgrade_async
from storage.models import InboxUpdate, Response
from tests.fakebot import FakeTelegram

pytestmark = pytest.mark.asyncio


async def test_same_update_twice_is_recorded_once(app: App, make_user, tg: FakeTelegram) -> None:
    user = make_user(4001)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("6")
    await user.wait_reply()
    comment_update = await user.send_text("первый комментарий")
    await user.wait_text("Какие области")
    tg.push_raw_duplicate(comment_update)
    await user.send_text("/help")
    await user.wait_text("/forget_me")
    texts = [m.get("text") or "" for m in user.messages()]
    # Had the duplicate been handled, a "use the buttons" reply would sit before /help's answer.
    assert not any("кнопками" in t for t in texts)
    async with app.services.sessionmaker() as s:
        responses = (await s.scalars(select(Response))).all()
        journaled = await s.scalar(select(func.count()).where(InboxUpdate.update_id == comment_update))
    assert len(responses) == 1 and responses[0].comment == "первый комментарий"
    assert journaled == 1


async def test_updates_sent_while_down_are_handled(make_app, make_user, tg: FakeTelegram) -> None:
    user = make_user(4002)
    await user.send_text("/start")
    await user.send_text("/survey")
    app = await make_app()
    q1 = await user.wait_text("Насколько вероятно", timeout=10)
    assert q1 is not None
    assert not any(
        c.params.get("drop_pending_updates") in (True, "true") for c in tg.calls_for("deleteWebhook")
    )
    assert app is not None


async def test_journaled_but_unhandled_update_is_replayed(make_settings, make_app, make_user) -> None:
    """A crash between journaling and handling: the update is handled at the next start."""
    settings = make_settings()
    await upgrade_async(settings.database_url)
    raw = {
        "update_id": 777,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 4003, "type": "private", "first_name": "Replay"},
            "from": {"id": 4003, "is_bot": False, "first_name": "Replay", "language_code": "ru"},
            "text": "/survey",
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }
    engine = create_engine(settings.database_url)
    async with create_sessionmaker(engine)() as s:
        s.add(InboxUpdate(update_id=777, payload=json.dumps(raw)))
        await s.commit()
    await engine.dispose()
    user = make_user(4003)
    app = await make_app()
    await user.wait_text("Насколько вероятно", timeout=10)
    async with app.services.sessionmaker() as s:
        row = await s.get(InboxUpdate, 777)
    assert row is not None and row.processed_at is not None


async def test_survey_progress_survives_restart(make_app, stop_app, make_user) -> None:
    first = await make_app()
    user = make_user(4004)
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")
    await user.press("8")
    await user.wait_text("чтобы вы порекомендовали нас")  # a passive's question 2
    await stop_app(first)

    second = await make_app()
    await user.send_text("комментарий после рестарта")
    await user.wait_text("Какие области", timeout=10)
    async with second.services.sessionmaker() as s:
        responses = (await s.scalars(select(Response))).all()
    assert len(responses) == 1
    assert responses[0].score == 8 and responses[0].comment == "комментарий после рестарта"


async def test_unreadable_update_is_kept_with_its_error_and_never_replayed(
    make_app, stop_app, make_user, tg: FakeTelegram
) -> None:
    """An update aiogram cannot parse does not hold up the others, nor come back at each start."""
    app = await make_app()
    user = make_user(4005)
    bad = tg.push_update({"message": {"message_id": 1, "date": "not a date", "text": "?"}})
    await user.send_text("/survey")
    await user.wait_text("Насколько вероятно")  # not held up by the bad one
    # Parked concurrently (it has no sender, so no ordering with the user): wait for it.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while True:
        async with app.services.sessionmaker() as s:
            row = await s.get(InboxUpdate, bad)
        if (row is not None and row.processed_at is not None) or loop.time() > deadline:
            break
        await asyncio.sleep(0.05)
    assert row is not None and row.processed_at is not None and "unreadable" in (row.error or "")
    await stop_app(app)
    app = await make_app()  # start-up replays nothing and polls again
    await user.send_text("/help")
    await user.wait_text("/forget_me")

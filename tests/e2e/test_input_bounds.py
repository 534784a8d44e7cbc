"""Numbers from users are range-checked where they are parsed (issue 12 item 8).

``'²'.isdigit()`` is true and ``int('²')`` raises; 20 digits overflow a 64-bit column. Each used
to end in a traceback and a parked update; now each gets a clear reply.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import InboxUpdate
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import MANAGER_CHAT_ID, MANAGER_ID

pytestmark = pytest.mark.asyncio

HUGE = "99999999999999999999"  # 20 digits: over 2**63-1


async def _journal_clean(app: App, tg: FakeTelegram) -> None:
    """Every update handled, none parked with an error."""

    async def state() -> list[tuple[int, object, object]]:
        async with app.services.sessionmaker() as s:
            rows = await s.execute(select(InboxUpdate.update_id, InboxUpdate.processed_at, InboxUpdate.error))
            return [tuple(r) for r in rows.all()]

    rows = await state()
    assert rows and all(error is None for _uid, _at, error in rows), rows
    assert all(at is not None for _uid, at, _error in rows), rows


@pytest.mark.parametrize("arg", ["²", HUGE, "#²", "٣", "0", "-1"])
async def test_admin_campaign_ids(app: App, tg: FakeTelegram, admin: SimUser, arg: str) -> None:
    for command in ("launch", "pause", "close"):
        await admin.send_text(f"/{command} {arg}")
        reply = await admin.wait_reply()
        assert f"/{command}" in reply["text"] and "номер кампании" in reply["text"], reply["text"]
    await _journal_clean(app, tg)


@pytest.mark.parametrize("arg", ["²", HUGE, "٣"])
async def test_manager_campaign_ids(app: App, tg: FakeTelegram, arg: str) -> None:
    mgr = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    expected = {"report": "Формат: /report", "export": "Формат: /export", "announce": "Формат: /announce"}
    for command, usage in expected.items():
        await mgr.send_text(f"/{command} {arg}")
        reply = await mgr.wait_reply()
        assert usage in reply["text"], (command, reply["text"])
    await _journal_clean(app, tg)


@pytest.mark.parametrize(
    "data",
    [
        f"s:{HUGE}:5",
        "s:²:5",
        "s:1:²",
        "s:1:11",
        f"k:{HUGE}",
        f"d:{HUGE}:payouts",
        f"f:{HUGE}",
        "f:٣",
    ],
)
async def test_partner_callback_data(
    app: App, tg: FakeTelegram, make_user: Callable[..., SimUser], data: str
) -> None:
    partner = make_user(3101)
    await partner.send_text("/start")
    await partner.wait_reply()
    answer = await partner.press_data(data)
    assert answer["text"] == "Эта кнопка больше не действует.", answer
    await _journal_clean(app, tg)


@pytest.mark.parametrize("data", [f"al:x:{HUGE}", f"al:r:{HUGE}", "al:x:²"])
async def test_alert_callback_data(app: App, tg: FakeTelegram, data: str) -> None:
    mgr = SimUser(tg, user_id=MANAGER_ID, first_name="Мария", chat=MANAGER_CHAT_ID)
    answer = await mgr.press_data(data)
    assert answer["text"] == "Эта кнопка больше не действует.", answer
    await _journal_clean(app, tg)


@pytest.mark.parametrize("data", [f"cm:launch:{HUGE}", "cm:cancel:²"])
async def test_campaign_callback_data(app: App, tg: FakeTelegram, admin: SimUser, data: str) -> None:
    answer = await admin.press_data(data)
    assert answer["text"] == "Эта кнопка больше не действует.", answer
    await _journal_clean(app, tg)


@pytest.mark.parametrize("sample", ["٣٠%", "²", "99999999999"])
async def test_new_campaign_sample(app: App, tg: FakeTelegram, admin: SimUser, sample: str) -> None:
    await admin.send_text(f"/newcampaign Весна sample={sample}")
    reply = await admin.wait_reply()
    assert "Не понял параметр" in reply["text"], reply["text"]
    await _journal_clean(app, tg)

"""A deterministic "nothing more is coming" for the sending engine, instead of sleeping.

The engine claims pending rows oldest first. An announcement queued *now* to a partner of its
own is claimed only after every row that was sendable before it; once it has arrived, anything
the engine was going to send from before has been sent. A test then asserts that nothing else
arrived, and cannot pass merely because it did not wait long enough.
"""

from __future__ import annotations

import asyncio
import itertools

from sqlalchemy import func, select

from bot.app import App
from bot.sending import notify
from storage.models import Announcement, Delivery, Partner, utcnow
from storage.models import campaign as c
from storage.models import delivery as d
from storage.repo.delivery_queue import enqueue_announcement
from tests.fakebot import FakeTelegram
from tests.helpers import add_campaign

_BARRIER_IDS = itertools.count(9_900_000)


async def sending_barrier(app: App, tg: FakeTelegram, timeout: float = 20) -> None:  # noqa: ASYNC109
    """Return once the engine has sent everything it would have sent before this call."""
    chat = next(_BARRIER_IDS)
    async with app.services.sessionmaker() as s:
        partner = Partner(telegram_id=chat, external_id=f"barrier-{chat}", started_at=utcnow())
        s.add(partner)
        campaign = await add_campaign(s, f"barrier {chat}", status=c.CLOSED)
        note = Announcement(campaign_id=campaign.id, text="barrier")
        s.add(note)
        await s.flush()
        assert await enqueue_announcement(s, campaign.id, note.id, [partner.id]) == 1
        await s.commit()
    notify(app.services)
    await tg.wait_until(lambda: tg.sent_per_chat().get(chat) == 1, timeout, "the barrier announcement")


async def wait_in_flight_done(
    app: App,
    statuses: tuple[str, ...] = (d.PENDING, d.SENDING),
    timeout: float = 20,  # noqa: ASYNC109
) -> None:
    """Wait until no delivery row is in ``statuses`` (a row is marked sent after Telegram's answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with app.services.sessionmaker() as s:
            left = await s.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status.in_(statuses))
            )
        if not left:
            return
        assert loop.time() < deadline, f"{left} deliveries still {statuses}"
        await asyncio.sleep(0.02)

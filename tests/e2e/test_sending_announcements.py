"""Announcement rows (queued by the managers' side) go out through the same engine and limits."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.sending import notify
from storage.models import Announcement, Delivery, Partner
from storage.models import campaign as c
from storage.models import delivery as d
from storage.repo.delivery_queue import enqueue_announcement
from tests.e2e.sending_barrier import sending_barrier, wait_in_flight_done
from tests.e2e.test_sending_fanout import seed
from tests.fakebot import FakeTelegram
from tests.helpers import add_campaign

BASE = 7_600_000
TEXT = "Вы просили <быстрее> выплаты & мы сделали"


async def test_announcement_sent_once_escaped_even_for_a_closed_campaign(tg: FakeTelegram, app: App) -> None:
    ids = await seed(app, 3, base=BASE)
    async with app.services.sessionmaker() as s:
        campaign = await add_campaign(s, "Прошлая", status=c.CLOSED)
        note = Announcement(campaign_id=campaign.id, text=TEXT)
        s.add(note)
        await s.flush()
        partner_ids = list((await s.scalars(select(Partner.id).order_by(Partner.id))).all())
        assert await enqueue_announcement(s, campaign.id, note.id, [*partner_ids[:2], 999_999]) == 2
        assert await enqueue_announcement(s, campaign.id, note.id, partner_ids) == 1  # only the new one
        await s.commit()
    notify(app.services)
    await tg.wait_until(lambda: all(tg.sent_per_chat().get(i) == 1 for i in ids), timeout=10)
    message = tg.chat_messages(ids[0])[0]
    assert message["text"] == TEXT  # shown literally: the sender escaped it for HTML
    assert "reply_markup" not in message
    await wait_in_flight_done(app)
    await sending_barrier(app, tg)
    async with app.services.sessionmaker() as s:
        statuses = (
            await s.scalars(select(Delivery.status).where(Delivery.partner_id.in_(partner_ids)))
        ).all()
    assert sorted(statuses) == [d.SENT] * 3
    assert all(tg.sent_per_chat().get(i) == 1 for i in ids)

"""The webhook outbox when a sender is taken for dead while its request is still out: the row
is claimed again, and the first sender's late outcome no longer decides it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import HookDelivery, utcnow
from storage.models import hook as h
from storage.repo import hook_endpoints, hook_events, hook_outbox
from storage.repo.hook_outbox import Outcome

LEASE = timedelta(seconds=60)


async def test_a_late_outcome_of_a_sender_taken_for_dead_does_not_undo_the_new_claim(
    db: async_sessionmaker[AsyncSession],
) -> None:
    now = utcnow()
    async with db() as s:
        endpoint = await hook_endpoints.add(s, "https://crm.example.com/hook", "*")
        await hook_events.enqueue(
            s, "partner.opted_out", {"partner_id": 1}, partner_id=None, endpoint_ids=[endpoint.id], now=now
        )
        await s.commit()
        [first] = await hook_outbox.claim(s, 10, owner="a", now=now, lease=LEASE)
        await s.commit()
        # a's lease ran out with its request still out (a stalled loop, a paused VM): b claims it.
        later = now + LEASE + timedelta(seconds=1)
        [second] = await hook_outbox.claim(s, 10, owner="b", now=later, lease=LEASE)
        await s.commit()
        assert second.taken_over and second.attempts == first.attempts + 1
        # a's failure comes in late: b's claim stands (the row stays b's, sending).
        late = Outcome(first.id, endpoint.id, False, status=500, error="HTTP 500", attempt=first.attempts)
        await hook_outbox.record(s, [late], now=later)
        await s.commit()
        row = await s.get(HookDelivery, first.id, populate_existing=True)
        assert row is not None and (row.status, row.claimed_by) == (h.SENDING, "b")
        # b's 2xx decides: delivered, not sent a third time.
        await hook_outbox.record(
            s, [Outcome(second.id, endpoint.id, True, status=204, attempt=second.attempts)], now=later
        )
        await s.commit()
        row = await s.get(HookDelivery, first.id, populate_existing=True)
        assert row is not None and row.status == h.DELIVERED

"""The bot's send budget: slots shared by every process, replies before bulk, 429 pauses all.

Both stores (in memory for ``nps-bot run``, the ``send_budget`` row for web replicas and the
worker) are driven with an injected clock; the database store runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.send_budget import BudgetStore, DatabaseStore, MemoryStore, SendBudget

RATE = 10.0  # slots 0.1 s apart
SLACK = 0.5


class Clock:
    """Time that moves only when a test (or an injected sleep) moves it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=["memory", "database"])
def stores(request: pytest.FixtureRequest, db: async_sessionmaker[AsyncSession]) -> Callable[[], BudgetStore]:
    """Stores of one budget as two processes see it (the memory store: one process, one line)."""
    if request.param == "memory":
        shared = MemoryStore()
        return lambda: shared
    return lambda: DatabaseStore(db)


def budgets(stores: Callable[[], BudgetStore], clock: Clock) -> tuple[SendBudget, SendBudget]:
    return tuple(  # type: ignore[return-value]
        SendBudget(RATE, stores(), slack=SLACK, clock=clock, sleep=clock.sleep) for _ in range(2)
    )


async def test_two_senders_never_share_a_slot_and_stay_within_the_rate(
    stores: Callable[[], BudgetStore],
) -> None:
    clock = Clock()
    a, b = budgets(stores, clock)
    delays = [await (a if i % 2 else b).reply_delay() for i in range(30)]
    starts = [clock.now + d for d in delays]
    # An idle line may catch up SLACK seconds (5 slots) at once; then one slot per 0.1 s, each
    # taken by exactly one of the two senders.
    assert delays[:6] == [0.0] * 6
    assert delays[6:] == pytest.approx([0.1 * k for k in range(1, 25)])
    # Within any second at most a second of slots, the one due now and the catch-up burst: far
    # under what Telegram's bucket takes (a second's worth banked plus a second's refill).
    assert max(sum(1 for s in starts if t <= s < t + 1 - 1e-6) for t in starts) <= RATE * (1 + SLACK) + 1


async def test_bulk_waits_until_replies_are_out_then_replies_come_first_again(
    stores: Callable[[], BudgetStore],
) -> None:
    clock = Clock()
    web, worker = budgets(stores, clock)
    replies = [await web.reply_delay() for _ in range(20)]
    last_reply = clock.now + replies[-1]
    # The worker's bulk send waits (its sleeps move the clock) until the line is free.
    await worker.bulk_delay()
    assert clock.now >= last_reply
    # A reply asked for now goes out within one bulk slot, not behind a queue of invitations.
    bulk_start = clock.now
    assert await web.reply_delay() <= 0.1 + 1e-9
    assert bulk_start + 0.2 >= clock.now


async def test_a_429_in_one_process_pauses_every_sender(stores: Callable[[], BudgetStore]) -> None:
    clock = Clock()
    web, worker = budgets(stores, clock)
    await web.pause(3.0)
    assert await worker.reply_delay() >= 3.0
    started = clock.now
    await worker.bulk_delay()
    assert clock.now >= started + 3.0


async def test_an_idle_line_does_not_bank_more_than_the_slack(stores: Callable[[], BudgetStore]) -> None:
    clock = Clock()
    web, _ = budgets(stores, clock)
    await web.reply_delay()
    clock.now += 3600  # an hour of silence
    delays = [await web.reply_delay() for _ in range(10)]
    assert delays[:6] == [0.0] * 6  # not 36,000 banked slots: SLACK seconds' worth
    assert delays[6] == pytest.approx(0.1)


async def _bulk_start(budget: SendBudget, clock: Clock, *, shared: bool = True) -> float:
    """When the bulk slot taken now starts (the budget's own waits move the clock first)."""
    delay = await budget.bulk_delay(shared=shared)
    return clock.now + delay


async def test_bulk_goes_at_its_own_pace_under_the_line(stores: Callable[[], BudgetStore]) -> None:
    clock = Clock()
    worker = SendBudget(RATE, stores(), bulk_rate=4.0, slack=SLACK, clock=clock, sleep=clock.sleep)
    starts = [await _bulk_start(worker, clock) for _ in range(20)]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.25 - 1e-9  # SEND_RATE 4/s, though the line would take 10/s
    assert (len(starts) - 1) / (starts[-1] - starts[0]) == pytest.approx(4.0, rel=0.01)


async def test_paid_broadcast_keeps_the_bulk_pace_but_takes_no_slot_of_the_line(
    stores: Callable[[], BudgetStore],
) -> None:
    clock = Clock()
    worker = SendBudget(RATE, stores(), bulk_rate=50.0, slack=SLACK, clock=clock, sleep=clock.sleep)
    web = SendBudget(RATE, stores(), slack=SLACK, clock=clock, sleep=clock.sleep)
    starts = [await _bulk_start(worker, clock, shared=False) for _ in range(40)]
    assert (len(starts) - 1) / (starts[-1] - starts[0]) == pytest.approx(50.0, rel=0.01)
    assert await web.reply_delay() == 0.0  # 40 paid messages left the token's line untouched
    # A 429 on a paid broadcast holds bulk sending only, not the partners' replies.
    await worker.pause(2.0, shared=False)
    assert await web.reply_delay() == 0.0
    started = clock.now
    await worker.bulk_delay(shared=False)
    assert clock.now >= started + 2.0


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SendBudget(0, MemoryStore())


async def test_a_task_started_by_a_handler_never_gives_away_the_handlers_permit() -> None:
    import asyncio

    from bot.send_budget import HandlingPermit

    sem = asyncio.Semaphore(1)
    async with HandlingPermit(sem) as permit:

        async def background() -> None:  # inherits the handler's context, permit included
            await permit.idle(asyncio.sleep(0))

        await asyncio.create_task(background())
        assert sem.locked()  # still the handler's
        await permit.idle(asyncio.sleep(0))  # the handler's own wait gives it back and takes it
        assert sem.locked()
    assert not sem.locked()  # released once at the end: nothing leaked, nothing doubled


async def test_no_handling_permit_is_held_across_a_telegram_call(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """While a handler waits on Telegram, the next update gets its permit (a slow round trip must
    not stop answers from being stored), and the handler has it back afterwards."""
    import asyncio

    from aiogram.methods import AnswerCallbackQuery

    from bot.middlewares.requests import CommitBeforeSend, UpdateScope, current_update
    from bot.send_budget import HandlingPermit
    from storage.unit_of_work import UnitOfWork

    sem = asyncio.Semaphore(1)
    async with db() as session, HandlingPermit(sem) as permit:
        current_update.set(UpdateScope(UnitOfWork(session), permit))  # as bot/middlewares/db.py does
        next_update = asyncio.create_task(sem.acquire())

        async def telegram(_bot: object, _method: object) -> str:
            await asyncio.wait_for(next_update, 5)  # it ran while we were on the network
            sem.release()
            return "answered"

        method = AnswerCallbackQuery(callback_query_id="q1")
        assert await CommitBeforeSend()(telegram, None, method) == "answered"  # type: ignore[arg-type]
        assert sem.locked() and permit.held  # the handler's again
    assert not sem.locked()

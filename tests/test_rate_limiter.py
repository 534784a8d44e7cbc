"""The bulk-send limiter: even global pace, bounded catch-up burst, 429 pause, per-chat spacing.

Each test runs on virtual time (tests/virtual_time.py) with the limiter's clock injected, so
the figures below are exact and hold on a loaded machine.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sending.engine import default_window
from bot.sending.limiter import ChatSpacer, GlobalPacer, RateLimiter
from tests.virtual_time import run_virtual


def _now() -> float:
    return asyncio.get_running_loop().time()


async def _stamps(pacer: GlobalPacer, n: int) -> list[float]:
    stamps: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        stamps.append(_now())

    await asyncio.gather(*(one() for _ in range(n)))
    return sorted(stamps)


def test_pace_never_exceeds_rate_beyond_the_slack_burst() -> None:
    rate, slack = 200.0, 0.05

    async def scenario() -> list[float]:
        pacer = GlobalPacer(rate, slack=slack, clock=_now)
        await asyncio.sleep(0.1)  # idle: the pacer may catch up at most `slack` seconds
        return await _stamps(pacer, 120)

    stamps = run_virtual(scenario())
    for i, start in enumerate(stamps):
        for window in (0.05, 0.2):
            inside = sum(1 for t in stamps[i:] if t - start <= window + 1e-9)
            assert inside <= rate * (window + slack) + 1, (window, inside)
    burst = sum(1 for t in stamps if t == stamps[0])
    assert burst == 1 + int(slack * rate)  # the catch-up: `slack` seconds of slots, no more
    achieved = (len(stamps) - burst) / (stamps[-1] - stamps[0])
    assert achieved == pytest.approx(rate, rel=0.01)


def test_429_pause_holds_every_slot_even_those_already_waiting() -> None:
    async def scenario() -> tuple[float, float, float]:
        pacer = GlobalPacer(50.0, slack=0.0, clock=_now)
        waiting = asyncio.gather(*(pacer.acquire() for _ in range(5)))
        await asyncio.sleep(0.01)
        paused_at = _now()
        pacer.pause(0.3)
        await waiting
        released = _now()
        await asyncio.sleep(0.5)
        before = _now()
        await pacer.acquire()
        return paused_at, released, _now() - before

    paused_at, released, after_pause = run_virtual(scenario())
    assert released - paused_at >= 0.3
    assert after_pause == 0  # the pause is over: the next slot is free at once


def test_one_message_per_interval_per_chat_other_chats_unaffected() -> None:
    async def scenario() -> tuple[float, float]:
        spacer = ChatSpacer(0.2, clock=_now)
        start = _now()
        await spacer.acquire(1)
        await spacer.acquire(2)
        other_chat = _now() - start
        await spacer.acquire(1)
        return other_chat, _now() - start

    other_chat, same_chat = run_virtual(scenario())
    assert other_chat == 0
    assert same_chat == pytest.approx(0.2)


def test_limiter_waits_for_the_chat_before_taking_a_global_slot() -> None:
    async def scenario() -> tuple[list[int], float]:
        limiter = RateLimiter(1000.0, per_chat_interval=0.2)
        limiter.pacer.clock = limiter.chats.clock = _now
        await limiter.acquire(7)
        started = _now()
        done: list[int] = []

        async def send(chat: int) -> None:
            await limiter.acquire(chat)
            done.append(chat)

        await asyncio.gather(send(7), send(8), send(9))
        return done, _now() - started

    done, waited = run_virtual(scenario())
    assert done == [8, 9, 7]  # chat 7 waits its turn without blocking others
    assert waited == pytest.approx(0.2)


def test_window_is_the_documented_duplicate_bound() -> None:
    assert default_window(25) == 13
    assert default_window(1) == 8
    assert default_window(1000) == 200

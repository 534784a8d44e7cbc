"""The bulk-send limiter: even global pace, bounded catch-up burst, 429 pause, per-chat spacing."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.sending.engine import default_window
from bot.sending.limiter import ChatSpacer, GlobalPacer, RateLimiter


async def _stamps(pacer: GlobalPacer, n: int) -> list[float]:
    stamps: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(n)))
    return sorted(stamps)


async def test_pace_never_exceeds_rate_beyond_the_slack_burst() -> None:
    rate, slack = 200.0, 0.05
    pacer = GlobalPacer(rate, slack=slack)
    await asyncio.sleep(0.1)  # idle: the pacer may catch up at most `slack` seconds
    stamps = await _stamps(pacer, 120)
    for i, start in enumerate(stamps):
        for window in (0.05, 0.2):
            inside = sum(1 for t in stamps[i:] if t - start <= window)
            assert inside <= rate * (window + slack) + 2, (window, inside)
    achieved = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert achieved == pytest.approx(rate, rel=0.2)


async def test_429_pause_holds_every_slot_even_those_already_waiting() -> None:
    pacer = GlobalPacer(50.0, slack=0.0)
    waiting = asyncio.gather(*(pacer.acquire() for _ in range(5)))
    await asyncio.sleep(0.01)
    paused_at = time.monotonic()
    pacer.pause(0.3)
    await waiting
    assert time.monotonic() - paused_at >= 0.3
    before = time.monotonic()
    await pacer.acquire()
    assert time.monotonic() - before < 0.1  # the pause is over


async def test_one_message_per_interval_per_chat_other_chats_unaffected() -> None:
    spacer = ChatSpacer(0.2)
    start = time.monotonic()
    await spacer.acquire(1)
    await spacer.acquire(2)
    assert time.monotonic() - start < 0.05
    await spacer.acquire(1)
    assert time.monotonic() - start >= 0.19


async def test_limiter_waits_for_the_chat_before_taking_a_global_slot() -> None:
    limiter = RateLimiter(1000.0, per_chat_interval=0.2)
    await limiter.acquire(7)
    started = time.monotonic()
    done: list[int] = []

    async def send(chat: int) -> None:
        await limiter.acquire(chat)
        done.append(chat)

    await asyncio.gather(send(7), send(8), send(9))
    assert done[:2] == [8, 9] and done[2] == 7  # chat 7 waits its turn without blocking others
    assert time.monotonic() - started >= 0.19


def test_window_is_the_documented_duplicate_bound() -> None:
    assert default_window(25) == 13
    assert default_window(1) == 8
    assert default_window(1000) == 200

"""Bulk sending's per-chat spacing and its duplicate bound (the pace itself: test_send_budget.py).

Each test runs on virtual time (tests/virtual_time.py) with the spacer's clock injected, so the
figures below are exact and hold on a loaded machine.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sending.chat_spacer import ChatSpacer
from bot.sending.engine import default_window
from tests.virtual_time import run_virtual


def _now() -> float:
    return asyncio.get_running_loop().time()


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


def test_window_is_the_documented_duplicate_bound() -> None:
    assert default_window(25) == 13
    assert default_window(1) == 8
    assert default_window(1000) == 200

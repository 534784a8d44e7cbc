"""Flood control of the fake Bot API: token buckets like Telegram's limits.

Telegram allows about 30 messages per second overall (1000 with
``allow_paid_broadcast``) and roughly one message per second per chat, with a
small burst so a normal back-and-forth conversation never trips it.  Exceeding
a limit yields ``429 Too Many Requests: retry after N``.

Rates are passed on every check instead of being stored in the buckets so the
owning server can change them at any time (tests tune them per scenario).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """Classic token bucket; starts full."""

    tokens: float
    stamp: float

    def refill(self, now: float, rate: float, capacity: float) -> None:
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(capacity, self.tokens + elapsed * rate)
        self.stamp = now

    def wait_time(self, rate: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        if self.tokens >= 1.0:
            return 0.0
        if rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / rate


@dataclass
class RateLimiter:
    """Global, paid-broadcast and per-chat buckets for message-creating calls."""

    global_bucket: TokenBucket | None = None
    paid_bucket: TokenBucket | None = None
    chat_buckets: dict[int | str, TokenBucket] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget all consumption (buckets are recreated full on next use)."""
        self.global_bucket = None
        self.paid_bucket = None
        self.chat_buckets.clear()

    def acquire(
        self,
        chat_id: int | str,
        now: float,
        *,
        paid: bool,
        global_rate: float,
        paid_rate: float,
        per_chat_rate: float,
        per_chat_burst: float,
    ) -> int | None:
        """Take one token from the relevant buckets.

        Returns ``None`` on success, otherwise the ``retry_after`` in whole
        seconds (>= 1).  A refused request consumes nothing, like in Telegram
        where a rejected message does not count.
        """
        rate = paid_rate if paid else global_rate
        capacity = max(1.0, rate)
        if paid:
            if self.paid_bucket is None:
                self.paid_bucket = TokenBucket(capacity, now)
            main = self.paid_bucket
        else:
            if self.global_bucket is None:
                self.global_bucket = TokenBucket(capacity, now)
            main = self.global_bucket
        burst = max(1.0, per_chat_burst)
        chat = self.chat_buckets.get(chat_id)
        if chat is None:
            chat = self.chat_buckets[chat_id] = TokenBucket(burst, now)
        main.refill(now, rate, capacity)
        chat.refill(now, per_chat_rate, burst)
        wait = max(main.wait_time(rate), chat.wait_time(per_chat_rate))
        if wait > 0:
            return max(1, math.ceil(wait)) if math.isfinite(wait) else 3600
        main.tokens -= 1.0
        chat.tokens -= 1.0
        return None

"""The sending engine: drains the ``deliveries`` outbox as fast as Telegram allows, exactly once.

How a row travels: a short transaction flips up to ``window - in_flight`` pending rows to
``sending`` (the claim); each row then waits for its chat's one-per-second turn
(bot.sending.chat_spacer) and a slot of the bot's send budget at SEND_RATE (taken by the request
middleware of the engine's own Bot, made for bulk: every message is paced there,
bot/send_budget.py), is sent, and its outcome is
stored with others in another short transaction. No session is ever open during a Telegram call.

Errors: a 429 pauses ALL bulk sending for retry_after (in the send budget) and the row is
retried; 5xx, timeouts and dropped connections are retried with capped exponential backoff
(``max_attempts`` in all), then the row is ``failed`` with the reason; 403 makes it ``blocked``
and stamps Partner.blocked_at; any other error (400 chat not found, ...) fails it at once. A
timeout or dropped connection is ambiguous (Telegram may have delivered before the answer was
lost): retrying risks a rare duplicate, giving up risks a silent miss; like the crash case
below, we prefer "nobody skipped".

Crash safety and the duplicate bound: a claimed row carries this engine's owner id and a lease
(LEASE seconds, renewed every LEASE/3 while the row is in flight). Nothing is reset at start-up,
so a starting process never takes rows a live one is sending; a row whose sender died is claimed
again once its lease ran out (within LEASE seconds) and sent again. Only those rows can be
messaged twice, so after a ``kill -9`` at most ``window`` partners get a duplicate, where
``window = clamp(ceil(SEND_RATE * 0.5), 8, 200)`` (13 at the default 25/s; in practice fewer:
rows still waiting for their slot were never sent). Nobody is skipped: a row only leaves
``sending`` with a recorded outcome. A clean stop waits briefly for in-flight sends and returns
never-sent rows to the queue, so it duplicates nothing.

Pausing or closing a campaign (``hold``) takes effect at once: its claimed rows still waiting
for a slot go back to pending unsent; the claim then skips a paused campaign and fails a closed
one's rows with "campaign closed" (storage.repo.deliveries).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.sending.chat_spacer import ChatSpacer
from bot.sending.contents import MessageContents
from bot.sending.progress import ProgressBoard
from bot.services import Services
from storage.models import delivery as d
from storage.models import utcnow
from storage.repo import deliveries
from storage.repo.deliveries import Claimed, Outcome

log = logging.getLogger(__name__)

FREE_TIER_RATE = 30  # Telegram's global limit without paid broadcast
MAX_RATE_LIMITED = 20  # 429s one row may absorb before it is failed (a stuck limit, not traffic)
STATUS_EVERY = 1.0  # seconds between looks at the status of campaigns being sent
LEASE = 15.0  # seconds a claimed row stays ours without renewal (a dead sender's rows wait this)


def process_id() -> str:
    """An id for this process's claims: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def default_window(rate: float) -> int:
    """Rows in flight: half a second of sending, at least 8, at most 200 (the duplicate bound)."""
    return max(8, min(200, math.ceil(rate * 0.5)))


@dataclass
class EngineStats:
    """Counters since start (for logs, tests and the benchmark)."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retries: int = 0
    rate_limited: int = 0


class SendingEngine:
    """Background task sending pending deliveries; see module docstring."""

    def __init__(
        self,
        services: Services,
        bot: Bot,
        *,
        window: int | None = None,
        poll_interval: float = 1.0,
        flush_interval: float = 0.1,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        progress_interval: float = 2.0,
        owner: str | None = None,
        lease: float = LEASE,
    ) -> None:
        settings = services.settings
        self.services = services
        self.bot = bot  # the bulk sender's own: its messages wait for a free line (bot/send_budget.py)
        self.paid = settings.paid_broadcast
        self.chats = ChatSpacer()
        self.window = window or default_window(settings.send_rate)
        self.poll_interval = poll_interval
        self.flush_interval = flush_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.progress = ProgressBoard(services, interval=progress_interval)
        self.owner = owner or process_id()
        self.lease = timedelta(seconds=lease)
        self._renew_every = lease / 3
        self._renew_at = 0.0
        self.stats = EngineStats()
        self._flush_batch = max(1, self.window // 4)
        self._running: dict[int, asyncio.Task[None]] = {}  # delivery id -> its send task
        self._touched_telegram: set[int] = set()  # rows whose request may have reached Telegram
        self._done: list[Outcome] = []
        self._done_kinds: dict[int, tuple[str, int]] = {}  # delivery id -> (kind, campaign id)
        self.contents = MessageContents(services.translator)
        self._held: set[int] = set()  # paused/closed campaigns (the claim skips them anyway)
        self._jobs: dict[int, Claimed] = {}  # delivery id -> claimed row, while running
        self._releasing: set[int] = set()  # running rows cancelled by hold(): outcome "pending"
        self._kick = asyncio.Event()
        self._flush_now = asyncio.Event()
        self._stopping = asyncio.Event()
        self._claim_after = 0.0
        self._status_at = 0.0  # next look at the statuses of campaigns in flight
        self._task: asyncio.Task[None] | None = None

    # -- control ------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._task is not None and not self._task.done()

    @property
    def held(self) -> frozenset[int]:
        """Campaigns whose rows are held back (paused or closed)."""
        return frozenset(self._held)

    def notify(self) -> None:
        """New rows were queued (launch, remind, resume, announcement): look now, not at next poll."""
        self._claim_after = 0.0
        self._kick.set()

    def hold(self, campaign_id: int) -> None:
        """The campaign was paused or closed: rows already claimed go back instead of out."""
        self._held.add(campaign_id)
        for delivery_id, task in list(self._running.items()):
            job = self._jobs.get(delivery_id)
            if job is not None and job.kind != d.ANNOUNCEMENT and job.campaign_id == campaign_id:
                if delivery_id not in self._touched_telegram:
                    self._releasing.add(delivery_id)
                    task.cancel()  # still waiting for a slot: return it to the queue now

    def unhold(self, campaign_id: int) -> None:
        """The campaign was resumed."""
        self._held.discard(campaign_id)
        self.notify()

    def watch(self, campaign_id: int, chat_id: int, message_id: int, locale: str | None = None) -> None:
        """Keep this message updated with the campaign's launch progress."""
        self.progress.watch(campaign_id, chat_id, message_id, locale)
        self._kick.set()

    async def start(self) -> None:
        """Start the background task (rows a dead sender left are claimed once their lease ends)."""
        if self.services.settings.send_rate > FREE_TIER_RATE and not self.paid:
            log.warning(
                "SEND_RATE=%s is above Telegram's %s/s without PAID_BROADCAST; expect 429s",
                self.services.settings.send_rate,
                FREE_TIER_RATE,
            )
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="sending-engine")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop claiming, let in-flight sends finish (up to ``grace`` s), store what is known."""
        self._stopping.set()
        self._kick.set()
        self._flush_now.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # Rows still waiting for a slot were never offered to Telegram: back to the queue.
        unsent = [i for i in self._running if i not in self._touched_telegram]
        waiting = [self._running[i] for i in unsent]
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        if self._running:
            await asyncio.wait(list(self._running.values()), timeout=grace)
        # Whatever is still in a request stays ``sending`` and is re-sent at the next start.
        leftovers = list(self._running.values())
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
        await self._flush()
        if unsent:
            async with self.services.sessionmaker() as session:
                await deliveries.release(session, unsent, self.owner)
                await session.commit()
        await self.progress.report(force=True)

    # -- the loop -----------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Sending engine step failed; retrying in a second")
                await asyncio.sleep(1.0)

    async def _step(self) -> None:
        await self._renew()
        await self._hold_stopped()
        await self._fill()
        if not self._running and not self._done:
            await self.progress.report(force=self.progress.active)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), timeout=self.poll_interval)
            self._kick.clear()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._flush_now.wait(), timeout=self.flush_interval)
        self._flush_now.clear()
        await self._flush()
        await self.progress.report()

    async def _fill(self) -> None:
        """Claim rows while the window has room (and the queue looked non-empty lately)."""
        if self._stopping.is_set():
            return
        room = self.window - len(self._running) - len(self._done)
        if room < self._flush_batch and self._running:
            return
        if room <= 0 or time.monotonic() < self._claim_after:
            return
        async with self.services.sessionmaker() as session:
            got = await deliveries.claim(session, room, owner=self.owner, lease_until=utcnow() + self.lease)
            claimed, drained = got.rows, got.drained
            wanted = self.contents.missing_announcements(claimed)
            if wanted:
                self.contents.add_announcements(await deliveries.announcement_texts(session, wanted))
            await session.commit()
        if got.taken_over:
            log.warning("Re-sending %s deliveries interrupted by a crash (lease ran out)", got.taken_over)
        if claimed:
            self._renew_at = time.monotonic() + self._renew_every
        if drained:
            # Queue drained (or only paused rows left): next look after a notify or a poll.
            self._claim_after = time.monotonic() + self.poll_interval * 0.9
        for job in claimed:
            self._running[job.id] = asyncio.create_task(self._deliver(job), name=f"delivery-{job.id}")

    async def _hold_stopped(self) -> None:
        """Follow /pause, /resume and /close given in other processes: hold campaigns in flight
        that stopped (rows still waiting for a slot go back), release held ones running again.
        Within STATUS_EVERY of the command; a local command also calls hold()/unhold() at once."""
        if not (self._running or self._held) or time.monotonic() < self._status_at:
            return
        self._status_at = time.monotonic() + STATUS_EVERY
        wanted = {j.campaign_id for j in self._jobs.values() if j.kind != d.ANNOUNCEMENT} | self._held
        if not wanted:
            return
        async with self.services.sessionmaker() as session:
            stopped = await deliveries.stopped_campaigns(session, wanted)
        for campaign_id in stopped - self._held:
            self.hold(campaign_id)
        for campaign_id in self._held - stopped:
            self.unhold(campaign_id)  # resumed elsewhere (this read follows the resume's commit)

    async def _renew(self) -> None:
        """Keep the lease on rows in flight (a row waits for its chat's turn, or for a 429)."""
        if not self._running or time.monotonic() < self._renew_at:
            return
        self._renew_at = time.monotonic() + self._renew_every
        async with self.services.sessionmaker() as session:
            await deliveries.renew(session, self.owner, utcnow() + self.lease)
            await session.commit()

    async def _flush(self) -> None:
        """Store finished outcomes in one transaction."""
        if not self._done:
            return
        batch, self._done = self._done, []
        try:
            async with self.services.sessionmaker() as session:
                await deliveries.record(session, batch)
                await session.commit()
        except Exception:
            self._done = batch + self._done  # keep them for the next flush, never drop outcomes
            raise
        campaigns = set()
        for o in batch:
            kind, cid = self._done_kinds.pop(o.id, ("", 0))
            if kind == d.INVITATION:
                campaigns.add(cid)
        self.progress.touched(campaigns)

    # -- one delivery -------------------------------------------------------

    async def _deliver(self, job: Claimed) -> None:
        self._jobs[job.id] = job
        try:
            outcome = await self._send(job)
        except asyncio.CancelledError:
            if job.id not in self._releasing:
                self._running.pop(job.id, None)
                self._jobs.pop(job.id, None)
                raise  # engine stopping: stop() decides what happens to the row
            outcome = Outcome(job.id, job.partner_id, d.PENDING)
        except Exception as exc:  # a bug must fail the row, not wedge the queue
            log.exception("Delivery %s crashed", job.id)
            outcome = Outcome(job.id, job.partner_id, d.FAILED, error=f"{type(exc).__name__}: {exc}")
        self._releasing.discard(job.id)
        self._jobs.pop(job.id, None)
        self._running.pop(job.id, None)
        self._touched_telegram.discard(job.id)
        self._done.append(outcome)
        self._done_kinds[job.id] = (job.kind, job.campaign_id)
        if outcome.status == d.SENT:
            self.stats.sent += 1
        elif outcome.status == d.BLOCKED:
            self.stats.blocked += 1
        elif outcome.status == d.FAILED:
            self.stats.failed += 1
        if len(self._done) >= self._flush_batch or not self._running:
            self._flush_now.set()

    def _backoff(self, attempt: int) -> float:
        """Capped exponential backoff with jitter, so retries of many rows do not align."""
        return min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)

    async def _send(self, job: Claimed) -> Outcome:
        text, markup = self.contents.of(job)
        if not text:
            return Outcome(job.id, job.partner_id, d.FAILED, error="announcement text missing")
        failures = 0
        limited = 0
        while True:
            await self.chats.acquire(job.chat_id)
            if job.kind != d.ANNOUNCEMENT and job.campaign_id in self._held:
                return Outcome(job.id, job.partner_id, d.PENDING)  # back to the queue, unsent
            self._touched_telegram.add(job.id)
            try:
                message = await self.bot.send_message(
                    chat_id=job.chat_id,
                    text=text,
                    reply_markup=markup,
                    allow_paid_broadcast=True if self.paid else None,
                )
                return Outcome(job.id, job.partner_id, d.SENT, message_id=message.message_id)
            except TelegramRetryAfter as exc:
                self.stats.rate_limited += 1
                log.warning("429 from Telegram: all bulk sending paused for %s s", exc.retry_after)
                limited += 1
                if limited > MAX_RATE_LIMITED:
                    return Outcome(job.id, job.partner_id, d.FAILED, error=f"429 x{limited}")
            except TelegramForbiddenError as exc:
                return Outcome(job.id, job.partner_id, d.BLOCKED, error=exc.message)
            except (TelegramServerError, TelegramNetworkError) as exc:
                failures += 1
                reason = f"{type(exc).__name__}: {exc.message}"
                if failures >= self.max_attempts:
                    return Outcome(job.id, job.partner_id, d.FAILED, error=f"{reason} ({failures} attempts)")
                self.stats.retries += 1
                log.info("Delivery %s: %s; retry %s", job.id, reason, failures)
                await asyncio.sleep(self._backoff(failures))
            except TelegramAPIError as exc:
                return Outcome(job.id, job.partner_id, d.FAILED, error=exc.message)

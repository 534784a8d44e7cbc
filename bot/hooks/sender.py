"""The hook sender: delivers the webhook outbox (storage.repo.hook_outbox) from the worker.

Each event is POSTed with the Standard Webhooks headers (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) made by the ``standardwebhooks`` package, the id the same on every try.
A short transaction claims up to ``window - in flight`` due rows, each is sent on its own task
(no session open during a request), and outcomes are stored together as they come in.

A request: at most TIMEOUT (15 s) in all; redirects are not followed (a 3xx is a failure);
the response body is read no further than MAX_BODY (64 KB). 2xx delivers; 410 disables the
endpoint; anything else (429, 5xx, a timeout, a refused address) is retried with back-off for
three days (storage.repo.hook_outbox). An endpoint failing for an hour, or disabled, is told to
the managers' chat once. Addresses are checked before any connection (bot.hooks.guard).

Durability: a row is ``delivered`` only after its 2xx; after ``kill -9`` the rows in flight are
claimed again when their lease (LEASE) runs out and sent with the same webhook-id. A sender
restarted on the same host does not wait for that: at start it ends the leases of this host's
senders whose process is gone (bot.roles.restart.dead_incarnations), so their rows go out again
at once instead of a minute later.

The clock (``clock``) decides what is due, back-off and the hour before managers are told;
tests move it. The signature's timestamp is the wall clock: receivers check it against theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from standardwebhooks import Webhook

from bot import managers_chat
from bot.hooks import file as hooks_file
from bot.hooks.guard import GuardedResolver, Lookup, Refused, check_literal, url_problem
from bot.roles.restart import dead_incarnations
from bot.sending.engine import process_id
from bot.services import Services
from storage.models import utcnow
from storage.repo import hook_endpoints, hook_outbox
from storage.repo.hook_outbox import Claimed, Notice, Outcome

Clock = Callable[[], datetime]  # the time now (tests inject theirs)

log = logging.getLogger(__name__)

TIMEOUT = 15.0
MAX_BODY = 64 * 1024
LEASE = timedelta(seconds=60)  # > TIMEOUT: a live sender's row is never taken over
WINDOW = 128  # requests in flight: 30 answers/s at 4 events each to a 200 ms receiver keep ~30 busy
STOP_GRACE = 1.0  # seconds stop() gives the step and requests about to be answered
PRUNE_EVERY = 600.0  # seconds between clean-ups of old delivered rows
USER_AGENT = "partner-pulse-hooks/1"


class HookSender:
    """Background delivery of queued webhook events; see module docstring."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Clock = utcnow,
        window: int = WINDOW,
        poll_interval: float = 1.0,
        timeout: float = TIMEOUT,
        lookup: Lookup | None = None,
        owner: str | None = None,
    ) -> None:
        self.services = services
        self.clock = clock
        self.window = window
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.lookup = lookup
        self.owner = owner or process_id()
        self.delivered = 0  # counters since start (tests, the benchmark)
        self.failed_attempts = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[asyncio.Task[Outcome], Claimed] = {}
        self._outcomes: list[Outcome] = []  # finished, not stored yet
        self._sessions: dict[bool, aiohttp.ClientSession] = {}
        self._signers: dict[str, Webhook] = {}
        self._last_prune = 0.0
        self._stopping = False

    # --- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Apply HOOKS_FILE, then deliver until stopped."""
        settings = self.services.settings
        if settings.hooks_file:
            try:
                wanted = hooks_file.load(settings.hooks_file, allow_http=settings.hooks_allow_http)
                async with self.services.sessionmaker() as session:
                    sync = await hook_endpoints.sync_file(session, wanted)
                    await session.commit()
                log.info(
                    "HOOKS_FILE applied: %s added, %s updated, %s removed",
                    sync.added,
                    sync.updated,
                    sync.removed,
                )
            except hooks_file.HooksFileError as exc:
                log.error("%s; the endpoints stored before are kept", exc)
        try:
            await self._take_back_dead()
        except Exception:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError() from None  # closing the session raised instead
            log.exception("Could not check for a dead sender's webhook events; they wait out their lease")
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="hook-sender")

    async def _take_back_dead(self) -> None:
        """End the leases of this host's earlier senders whose process is gone (kill -9)."""
        host = self.owner.rsplit(":", 2)[0]
        async with self.services.sessionmaker() as session:
            owners = await hook_outbox.owners_with_prefix(session, f"{host}:")
            dead = dead_incarnations(self.owner, owners)
            released = await hook_outbox.expire(session, dead, self.clock())
            await session.commit()
        if released:
            log.warning("Re-sending %s webhook events a crashed sender left in flight", released)

    async def stop(self) -> None:
        """Stop: the loop ends its step, requests about to finish get STOP_GRACE, then what finished
        is stored and the rest put back unspent (one transaction)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            # The step is left to end: cancelled inside its transaction it would lose what it
            # stored or claimed (rows then sat ``sending`` until their lease ran out). A step
            # stuck on the database is cancelled after the grace.
            done, _ = await asyncio.wait({self._task}, timeout=STOP_GRACE)
            if not done:
                self._task.cancel()
                await asyncio.wait({self._task})  # (a cancel of stop() itself still propagates)
            if not self._task.cancelled() and self._task.exception() is not None:
                log.error("The webhook sender's loop ended with %r", self._task.exception())
            self._task = None
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=STOP_GRACE)
        unfinished = [row for task, row in self._inflight.items() if not task.done()]
        cut = [task for task in self._inflight if not task.done()]
        for task in cut:
            task.cancel()
            self._inflight.pop(task)
        if cut:
            await asyncio.wait(cut)
        self._collect()
        if self._outcomes or unfinished:
            try:
                async with self.services.sessionmaker() as session:
                    await hook_outbox.record(session, self._outcomes, now=self.clock())
                    await hook_outbox.release(session, [row.id for row in unfinished], self.owner)
                    await session.commit()
                self._outcomes.clear()
            except Exception:
                log.exception("Could not store webhook outcomes at stop; those events are sent again")
        self._inflight.clear()
        for http in self._sessions.values():
            await http.close()
        self._sessions.clear()

    def notify(self) -> None:
        """Events were queued: look now rather than at the next poll."""
        self._wake.set()

    # --- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._step()
            except Exception:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # Cancelled mid-query and closing the session raised instead: the
                    # cancellation must still end the loop, or stop() would wait on it for ever.
                    raise asyncio.CancelledError() from None
                if self._stopping:
                    return
                log.exception("Webhook delivery step failed; trying again")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)
                self._wake.clear()

    async def _step(self) -> None:
        """Store what finished and claim what is due (one transaction), send, then wait."""
        self._collect()
        notices, claimed = await self._record_and_claim()
        for row in claimed:
            if row.taken_over:
                log.info("Webhook event %s (%s) taken over from a stopped sender", row.id, row.msg_id)
            task = asyncio.create_task(self._deliver(row), name=f"hook-{row.id}")
            self._inflight[task] = row
        for notice in notices:
            await self._tell_managers(notice)
        await self._maybe_prune()
        if self._stopping:
            return
        self._wake.clear()
        wake = asyncio.ensure_future(self._wake.wait())
        waiters: set[asyncio.Future[Any]] = {wake, *self._inflight}
        try:
            await asyncio.wait(waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            wake.cancel()

    def _collect(self) -> None:
        """Move finished requests' outcomes to the list waiting to be stored."""
        for task in [t for t in self._inflight if t.done()]:
            row = self._inflight.pop(task)
            try:
                self._outcomes.append(task.result())
            except (Exception, asyncio.CancelledError) as exc:  # not the receiver: retried like a failure
                log.exception("Webhook event %s: delivery crashed", row.id)
                self._outcomes.append(
                    Outcome(
                        row.id,
                        row.endpoint_id,
                        False,
                        error=f"internal error: {type(exc).__name__}",
                        attempt=row.attempts,
                    )
                )

    async def _record_and_claim(self) -> tuple[list[Notice], list[Claimed]]:
        outcomes = list(self._outcomes)
        free = 0 if self._stopping else self.window - len(self._inflight)
        now = self.clock()
        async with self.services.sessionmaker() as session:
            notices = await hook_outbox.record(session, outcomes, now=now) if outcomes else []
            rows = await hook_outbox.claim(session, free, owner=self.owner, now=now, lease=LEASE)
            await session.commit()
        # Stored: only now do they leave memory (a failed commit keeps them for the next step).
        del self._outcomes[: len(outcomes)]
        for o in outcomes:
            if o.delivered:
                self.delivered += 1
            else:
                self.failed_attempts += 1
        return notices, rows

    async def _maybe_prune(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = loop.time()
        async with self.services.sessionmaker() as session:
            removed = await hook_outbox.prune(session, now=self.clock())
            await session.commit()
        if removed:
            log.info("Webhook outbox: %s old rows removed", removed)

    # --- one request ------------------------------------------------------------------------

    def _http(self, allow_private: bool) -> aiohttp.ClientSession:
        http = self._sessions.get(allow_private)
        if http is None or http.closed:
            resolver = GuardedResolver(
                allow_loopback=self.services.settings.hooks_allow_http,
                allow_private=allow_private,
                lookup=self.lookup,
            )
            connector = aiohttp.TCPConnector(resolver=resolver, limit=self.window, ttl_dns_cache=60)
            http = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                trust_env=False,  # an HTTP(S)_PROXY would connect where the guard never looked
                headers={"User-Agent": USER_AGENT},
            )
            self._sessions[allow_private] = http
        return http

    def _signer(self, secret: str) -> Webhook:
        signer = self._signers.get(secret)
        if signer is None:
            signer = self._signers[secret] = Webhook(secret)
        return signer

    async def _deliver(self, row: Claimed) -> Outcome:
        """POST one event; never raises for what the receiver or the network does."""
        return await post(
            self._http(row.allow_private),
            row,
            self._signer(row.secret),
            allow_http=self.services.settings.hooks_allow_http,
        )

    async def _tell_managers(self, notice: Notice) -> None:
        settings = self.services.settings
        host = urlsplit(notice.url).hostname or "?"
        if notice.kind == "disabled":
            log.warning(
                "Webhook endpoint %s (%s) disabled: the receiver answered 410 Gone", notice.endpoint_id, host
            )
        else:
            log.warning(
                "Webhook endpoint %s (%s) has failed for an hour: %s", notice.endpoint_id, host, notice.error
            )
        chat = await managers_chat.chat_id(self.services)  # follows a supergroup upgrade
        if chat is None:
            return
        _ = self.services.translator.bind(settings.default_locale)
        from aiogram import html

        key = "hooks-alert-disabled" if notice.kind == "disabled" else "hooks-alert-failing"
        text = _(
            key, id=str(notice.endpoint_id), host=html.quote(host), error=html.quote(notice.error or "?")
        )
        try:
            await self.services.bot.send_message(chat, text)
        except Exception as exc:
            log.warning("Could not tell the managers about webhook endpoint %s: %s", notice.endpoint_id, exc)


async def post(http: aiohttp.ClientSession, row: Claimed, signer: Webhook, *, allow_http: bool) -> Outcome:
    """Sign and POST one event; the outcome of the attempt (refusals made before connecting)."""

    def failed(error: str, status: int | None = None, retry_after: float | None = None) -> Outcome:
        return Outcome(
            row.id,
            row.endpoint_id,
            False,
            status=status,
            error=error,
            retry_after=retry_after,
            attempt=row.attempts,
        )

    problem = url_problem(row.url, allow_http=allow_http)
    if problem is not None:
        return failed(f"refused: {problem}")
    try:
        check_literal(row.url, allow_loopback=allow_http, allow_private=row.allow_private)
    except Refused as exc:
        return failed(f"refused: {exc.reason}")
    moment = utcnow()  # wall clock: the receiver compares it with its own
    headers = {
        "webhook-id": row.msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signer.sign(row.msg_id, moment, row.payload),
        "Content-Type": "application/json",
    }
    try:
        async with http.post(
            row.url, data=row.payload.encode(), headers=headers, allow_redirects=False
        ) as resp:
            status = resp.status
            retry_after = _retry_after(resp.headers.get("Retry-After"))
            await resp.content.read(MAX_BODY)  # never more; the rest is dropped with the connection
            if not resp.content.at_eof():
                resp.close()
    except Refused as exc:
        return failed(f"refused: {exc.reason}")
    except TimeoutError:
        return failed("timed out")
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, Refused):
            return failed(f"refused: {exc.os_error.reason}")
        return failed(f"connection failed: {exc.os_error.strerror or type(exc.os_error).__name__}")
    except (aiohttp.ClientError, OSError) as exc:
        return failed(f"connection failed: {type(exc).__name__}")
    if 200 <= status < 300:
        return Outcome(row.id, row.endpoint_id, True, status=status, attempt=row.attempts)
    if status == 410:
        return Outcome(
            row.id, row.endpoint_id, False, status=status, error="410 Gone", gone=True, attempt=row.attempts
        )
    if 300 <= status < 400:
        return failed(f"HTTP {status}: redirects are not followed", status)
    return failed(f"HTTP {status}", status, retry_after if status in (429, 503) else None)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (HTTP dates are not honoured: back-off applies), capped at a day."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if math.isnan(seconds):  # "nan" parses, and would fail every later step's arithmetic
        return None
    return min(max(seconds, 0.0), 86400.0)

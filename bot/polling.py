"""Long polling that never loses an update.

aiogram's own polling confirms updates to Telegram (the next ``offset``) before handlers finish.
Here each batch is written to the ``inbox_updates`` journal and committed *before* the next
``getUpdates`` confirms it; the handler's transaction marks it processed. At start-up, journaled
but unprocessed updates are replayed first. Updates of one user are handled in order; different
users run concurrently up to ``max_concurrency``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import AiogramError, ClientDecodeError, TelegramBadRequest, TelegramUnauthorizedError
from aiogram.methods import GetUpdates
from aiogram.types import Update, User
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.held_replies import send_held
from bot.send_budget import HandlingPermit
from bot.startup import Backoff, Sleep, TokenRejected, connect, describe, retry_delay, until_done
from storage.repo import inbox

log = logging.getLogger(__name__)

_EVENT_KEYS = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
    "inline_query",
)

# What a handler is given: the parsed update, or why it could not be parsed.
Parsed = Update | ValidationError
Batch = tuple[dict[str, Any], Parsed]  # (journal JSON, parsed update)


def ordering_key(raw: dict[str, Any]) -> int:
    """Updates with the same key are handled one after another: the user, else the chat."""
    for name in _EVENT_KEYS:
        obj = raw.get(name)
        if isinstance(obj, dict):
            sender = obj.get("from") or {}
            chat = obj.get("chat") or (obj.get("message") or {}).get("chat") or {}
            return int(sender.get("id") or chat.get("id") or 0)
    return 0


def as_journal(update: Update) -> dict[str, Any]:
    """The update as Telegram's JSON again (the fields it sent, under their wire names)."""
    return update.model_dump(mode="json", exclude_unset=True, by_alias=True)


def salvage(exc: ClientDecodeError) -> list[dict[str, Any]] | None:
    """The raw updates of a readable reply that aiogram could not validate, else None.

    One malformed update fails the whole ``getUpdates`` batch; without this, the batch would be
    asked for again forever. A non-JSON body (a proxy's 502 page) gives None: retried later."""
    data = exc.data
    if isinstance(data, dict) and data.get("ok") is True and isinstance(data.get("result"), list):
        items = data["result"]
        if all(isinstance(item, dict) and isinstance(item.get("update_id"), int) for item in items):
            return items
    return None


class DurablePolling:
    """Journal-first polling loop; see module docstring."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        polling_timeout: int = 25,
        max_concurrency: int = 64,
        backoff_first: float = 0.5,
        backoff_max: float = 10.0,
        empty_pause: float = 1.0,
        sleep: Sleep | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.dp = dispatcher
        self.sessionmaker = sessionmaker
        self.polling_timeout = polling_timeout
        self.backoff = Backoff(backoff_first, backoff_max)
        # Pause after an empty answer that came back long before ``timeout``: a server that
        # ignores it would otherwise be asked hundreds of times a second.
        self.empty_pause = empty_pause
        # Injected in tests, which record the pauses instead of waiting them out.
        self.sleep: Sleep = sleep or self._sleep_unless_stopped
        self.clock = clock
        self._sem = asyncio.Semaphore(max_concurrency)
        self._tails: dict[int, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[int] = set()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Ask the loop to finish after the current request."""
        self._stop.set()

    async def _sleep_unless_stopped(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

    async def connect(self) -> User:
        """``getMe`` with retries (see :func:`bot.startup.connect`)."""
        return await connect(self.bot, self.backoff, self.sleep, self._stop)

    def _webhook_configured(self) -> bool:
        settings = self.dp.workflow_data.get("settings")
        return bool(getattr(settings, "webhook_url", None))

    async def run(self) -> None:
        """Replay the journal, then poll until :meth:`stop`; waits for in-flight handlers."""
        if not self._webhook_configured():
            # A webhook left from elsewhere would make every getUpdates fail; keep what
            # Telegram queued while we were down. Ours (WEBHOOK_URL) is never removed here.
            await until_done(
                lambda: self.bot.delete_webhook(drop_pending_updates=False),
                "deleteWebhook failed",
                self.backoff,
                self.sleep,
                self._stop,
                fatal=(TelegramBadRequest,),
            )
        await self.replay()
        self._track(asyncio.create_task(self._send_held(), name="held-replies"))
        offset: int | None = None
        allowed = self.dp.resolve_used_update_types()
        stop_wait = asyncio.create_task(self._stop.wait())
        try:
            while not self._stop.is_set():
                started = self.clock()
                request = asyncio.create_task(
                    self.bot(
                        GetUpdates(offset=offset, timeout=self.polling_timeout, allowed_updates=allowed),
                        request_timeout=self.polling_timeout + 15,
                    )
                )
                done, _ = await asyncio.wait({request, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                if request not in done:
                    # Not journaled, so not confirmed either: Telegram will send these again.
                    request.cancel()
                    break
                batch = await self._receive(request)
                if batch is None:
                    continue
                if not batch:
                    if self.clock() - started < max(self.polling_timeout, 1) / 2:
                        await self.sleep(self.empty_pause)
                    continue
                async with self.sessionmaker() as session:
                    fresh = set(await inbox.journal(session, [raw for raw, _ in batch]))
                    await session.commit()
                # Only now may Telegram forget them: the next request carries the new offset.
                offset = max(int(raw["update_id"]) for raw, _ in batch) + 1
                for raw, parsed in batch:
                    if raw["update_id"] in fresh:
                        self._schedule(raw, parsed)
        finally:
            stop_wait.cancel()
            await self.drain()

    async def _receive(self, request: asyncio.Task[list[Update]]) -> list[Batch] | None:
        """The batch as (journal JSON, parsed update); None after a failure (already waited out)."""
        try:
            updates = request.result()
        except TelegramUnauthorizedError:
            raise TokenRejected() from None
        except ClientDecodeError as exc:
            raws = salvage(exc)
            if raws is not None:
                self.backoff.reset()
                return [(raw, self._parse(raw)) for raw in raws]
            await self._wait_after(exc)
            return None
        except AiogramError as exc:  # network, 5xx, 409 conflict, flood control, 4xx
            await self._wait_after(exc)
            return None
        self.backoff.reset()
        return [(as_journal(update), update) for update in updates]

    async def _wait_after(self, exc: AiogramError) -> None:
        delay = retry_delay(exc, self.backoff)
        log.warning("getUpdates failed (%s); retrying in %.1f s", describe(exc), delay)
        await self.sleep(delay)

    def _parse(self, raw: dict[str, Any]) -> Parsed:
        try:
            return Update.model_validate(raw, context={"bot": self.bot})
        except ValidationError as exc:
            return exc

    def submit(self, raw: dict[str, Any]) -> None:
        """Handle one journaled update, in order for its user (the webhook receiver's way in)."""
        self._schedule(raw, self._parse(raw))

    async def replay(self) -> None:
        """Handle journaled updates left unprocessed by a crash, in order."""
        while True:
            async with self.sessionmaker() as session:
                rows = await inbox.pending(session)
                await session.commit()
            rows = [(uid, raw) for uid, raw in rows if uid not in self._in_flight]
            if not rows:
                return
            log.info("Replaying %d journaled update(s)", len(rows))
            for _uid, raw in rows:
                self._schedule(raw, self._parse(raw))
            await self.drain()

    async def _send_held(self) -> None:
        """Send the replies the previous run held when it stopped (bot/held_replies.py), beside
        polling: they wait for send slots like any reply. Only those already held now: a
        handler of this run may hold one of its own meanwhile."""
        try:
            async with self.sessionmaker() as session:
                upto = await inbox.last_held(session)
                await session.commit()
            after = -1
            while upto is not None:
                async with self.sessionmaker() as session:
                    rows = await inbox.held_replies(session, after=after, upto=upto)
                    await session.commit()
                if not rows:
                    return
                await send_held(self.bot, self.sessionmaker, rows)
                after = rows[-1][0]
        except Exception:
            log.exception("Held replies not sent; they stay for the next start")

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every scheduled handler has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _schedule(self, raw: dict[str, Any], parsed: Parsed) -> None:
        key = ordering_key(raw)
        previous = self._tails.get(key)
        uid = int(raw["update_id"])
        self._in_flight.add(uid)
        task = asyncio.create_task(self._handle(uid, parsed, previous))
        self._tails[key] = task
        self._tasks.add(task)

        def _done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            self._in_flight.discard(uid)
            if self._tails.get(key) is t:
                del self._tails[key]

        task.add_done_callback(_done)

    async def _handle(self, uid: int, parsed: Parsed, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        async with HandlingPermit(self._sem) as permit:
            if isinstance(parsed, ValidationError):
                await self._park_unreadable(uid, parsed)
                return
            try:
                # The permit is given back during each Telegram call and its wait for a slot
                # (bot/middlewares/requests.py, through bot/middlewares/db.py).
                await self.dp.feed_update(self.bot, parsed, journaled=True, permit=permit)
            except Exception:  # the error handler logged it; keep serving others
                log.exception("Update %s failed", uid)

    async def _park_unreadable(self, update_id: int, exc: ValidationError) -> None:
        """An update aiogram cannot parse is kept with the error, not replayed at every start."""
        log.warning("Update %s could not be read: %s", update_id, " ".join(str(exc).split())[:500])
        async with self.sessionmaker() as session:
            await inbox.mark_processed(session, update_id, error=f"unreadable: {exc}"[:2000])
            await session.commit()

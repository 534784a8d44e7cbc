"""Webhook delivery as Telegram does it: setWebhook / deleteWebhook / getWebhookInfo, then POSTs.

While a webhook is set, ``getUpdates`` answers 409, and every pending update is POSTed to the
URL with the ``X-Telegram-Bot-Api-Secret-Token`` header; at most ``max_connections`` requests
are in flight; an update stays pending (and is sent again after ``retry_delay``) until a
request for it gets a 2xx answer, whether the failure was a non-2xx status, a timeout or a
dropped connection. Like a load balancer in front of replicas, ``targets`` (base URLs, e.g.
``http://127.0.0.1:8081``) take the requests in turn, the registered URL's path appended;
without targets the registered URL itself is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import orjson

from .updates import _Pending
from .wire import ApiError, DecodedRequest, as_bool, as_int, bad_request

if TYPE_CHECKING:
    from .server import FakeTelegram

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@dataclass(frozen=True)
class Attempt:
    """One POST: which update, where, and what came back (status, or the error's name)."""

    update_id: int
    target: str
    outcome: int | str

    @property
    def ok(self) -> bool:
        return isinstance(self.outcome, int) and 200 <= self.outcome < 300


class WebhookDelivery:
    """Delivery loop of one fake bot; see module docstring."""

    def __init__(self, srv: FakeTelegram) -> None:
        self.srv = srv
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.targets: list[str] = []  # replica base URLs behind the "load balancer"
        self.timeout = 10.0  # seconds Telegram waits for an answer
        self.retry_delay = 0.05
        self.attempts: list[Attempt] = []
        self.acked: Counter[int] = Counter()  # update_id -> 2xx answers received
        self.max_in_flight_seen = 0
        self._in_flight: set[int] = set()  # id() of pending items being posted
        self._next_target = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._posts: set[asyncio.Task[None]] = set()

    @property
    def active(self) -> bool:
        return bool(self.url)

    def wake(self) -> None:
        self._wake.set()

    # -- Bot API methods --------------------------------------------------

    def set(self, url: str, secret: str | None, max_connections: int, allowed: list[str] | None) -> None:
        self.url, self.secret, self.max_connections = url, secret, max_connections
        if allowed is not None:
            self.srv.updates.allowed_updates = list(allowed) or None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop())
        self.wake()

    async def clear(self) -> None:
        self.url = ""
        self.wake()

    async def stop(self) -> None:
        self.url = ""
        self.wake()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for post in list(self._posts):
            post.cancel()
        if self._posts:
            await asyncio.gather(*self._posts, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- test helpers -----------------------------------------------------

    async def post_copies(self, update_id: int, targets: list[str] | None = None) -> list[int | str]:
        """POST one already pushed update to every target at once (a redelivery race)."""
        update = self.srv.updates.history[update_id]
        bases = targets or self.targets
        sent = await asyncio.gather(*(self._post(self._at(base), update) for base in bases))
        return list(sent)

    # -- delivery ---------------------------------------------------------

    def _endpoint(self) -> str:
        if not self.targets:
            return self.url
        base = self.targets[self._next_target % len(self.targets)]
        self._next_target += 1
        return self._at(base)

    def _at(self, base: str) -> str:
        """The registered URL's path at one replica's address."""
        parts = urlsplit(self.url)
        return base.rstrip("/") + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def _next_item(self) -> _Pending | None:
        queue = self.srv.updates
        allowed = queue.allowed_updates
        queue.pending = [p for p in queue.pending if not allowed or p.kind in allowed]
        for item in sorted(queue.pending, key=lambda p: p.update_id):
            if id(item) not in self._in_flight:
                return item
        return None

    async def _loop(self) -> None:
        while self.active:
            item = self._next_item() if len(self._in_flight) < self.max_connections else None
            if item is None:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), 0.2)
                except TimeoutError:
                    pass
                continue
            self._in_flight.add(id(item))
            self.max_in_flight_seen = max(self.max_in_flight_seen, len(self._in_flight))
            post = asyncio.create_task(self._deliver(item))
            self._posts.add(post)
            post.add_done_callback(self._posts.discard)

    async def _deliver(self, item: _Pending) -> None:
        try:
            outcome = await self._post(self._endpoint(), item.update)
            if isinstance(outcome, int) and 200 <= outcome < 300:
                with contextlib.suppress(ValueError):
                    self.srv.updates.pending.remove(item)
                self.acked[item.update_id] += 1
            else:
                await asyncio.sleep(self.retry_delay)
        finally:
            self._in_flight.discard(id(item))
            self.wake()

    async def _post(self, target: str, update: dict[str, Any]) -> int | str:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if self.secret is not None:
            headers[SECRET_HEADER] = self.secret
        outcome: int | str
        try:
            async with self._session.post(
                target,
                data=orjson.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as resp:
                await resp.read()
                outcome = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            outcome = type(exc).__name__
        self.attempts.append(Attempt(int(update["update_id"]), target, outcome))
        return outcome


async def set_webhook(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    url = str(params.get("url") or "")
    if not url:
        return await delete_webhook(srv, req)
    if not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    connections = as_int(params.get("max_connections", 40), "max_connections")
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if as_bool(params.get("drop_pending_updates", False)):
        srv.last_drop_pending_updates = True
        srv.updates.drop_all()
    allowed = params.get("allowed_updates")
    srv.webhook.set(
        url,
        None if secret is None else str(secret),
        connections,
        allowed if isinstance(allowed, list) else None,
    )
    return True


async def delete_webhook(srv: FakeTelegram, req: DecodedRequest) -> Any:
    drop = as_bool(req.params.get("drop_pending_updates", False))
    srv.last_drop_pending_updates = drop
    if drop:
        srv.updates.drop_all()
    await srv.webhook.clear()
    return True


async def get_webhook_info(srv: FakeTelegram, req: DecodedRequest) -> Any:
    hook = srv.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(srv.updates.pending),
    }
    if hook.url:
        info["max_connections"] = hook.max_connections
        if srv.updates.allowed_updates:
            info["allowed_updates"] = list(srv.updates.allowed_updates)
        failed = [a for a in hook.attempts if not a.ok]
        if failed:
            info["last_error_message"] = str(failed[-1].outcome)
    return info


def refuse_while_active(srv: FakeTelegram) -> None:
    """getUpdates with a webhook set fails as in Telegram."""
    if srv.webhook.active:
        raise ApiError(409, WEBHOOK_CONFLICT)


HANDLERS = {
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}

__all__ = ["HANDLERS", "Attempt", "WebhookDelivery", "refuse_while_active"]

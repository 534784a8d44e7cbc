"""A fake Telegram Bot API server for end-to-end tests of the real bot.

The bot under test talks to it over real HTTP through
``TelegramAPIServer.from_base(server.base_url)``; the test drives "users"
from Python (``push_*`` / :class:`~tests.fakebot.user.SimUser`) and inspects
what the bot did (``calls``, ``chat_messages``...).  Telegram's rules that
commonly bite bots in production are enforced with Telegram's own error
texts: length limits, HTML markup, callback data size, edits, stale callback
queries, blocked chats and flood control.  Failures (5xx, timeouts, dropped
connections) can be injected per method and chat.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from . import messaging, misc, webhook
from .faults import FaultMixin
from .lifecycle import UPGRADED, LifecycleMixin
from .limits import RateLimiter
from .pushes import PushMixin
from .state import DEADLINE, ApiCall, Failure, Store, normalize_chat_id
from .updates import UpdateQueue
from .wire import ApiError, DecodedRequest, bad_request, decode_request, ok_payload

log = logging.getLogger(__name__)

Handler = Callable[["FakeTelegram", DecodedRequest], Awaitable[Any]]

HANDLERS: dict[str, Handler] = {**misc.HANDLERS, **messaging.HANDLERS, **webhook.HANDLERS}
# Telegram method names are case-insensitive; keep the canonical spelling for records.
_CANONICAL = {name.lower(): name for name in HANDLERS}


class FakeTelegram(PushMixin, FaultMixin, LifecycleMixin):
    """In-process fake of the Telegram Bot API (one bot, one token)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int | None = None,
        bot_username: str = "partner_pulse_bot",
        bot_first_name: str = "Partner Pulse",
        *,
        global_rate: float = 30.0,
        per_chat_rate: float = 1.0,
        per_chat_burst: int = 3,
        paid_rate: float = 1000.0,
        enforce_limits: bool = True,
        timeout_delay: float = 6.0,
        callback_timeout: float = 15.0,
        first_update_id: int = 1,
        strict_chats: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        # Limits are plain attributes so tests can retune them at any time.
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.paid_rate = paid_rate
        self.enforce_limits = enforce_limits
        self.timeout_delay = timeout_delay
        self.callback_timeout = callback_timeout
        # strict_chats: sending to a chat nobody ever wrote from -> "chat not found".
        self.strict_chats = strict_chats
        # ignore_timeout: getUpdates answers at once, as some proxies and emulators do.
        self.ignore_timeout = False
        self.host = host
        self.port = port

        self.store = Store()
        self.updates = UpdateQueue(first_update_id)
        self.limiter = RateLimiter()
        self.calls: list[ApiCall] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}  # group id -> the supergroup it became
        self.count_429 = 0
        self.last_drop_pending_updates: bool | None = None
        self._sent: Counter[int] = Counter()
        self._failures: list[Failure] = []
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.webhook = webhook.WebhookDelivery(self)
        self.updates.on_push.append(self.webhook.wake)

    # -- lifecycle ----------------------------------------------------------

    async def start(self) -> None:
        self._closing.clear()
        self.updates.closed = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        # Short shutdown timeout: a hung long-poll must not delay test teardown.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        # Port 0 asks the OS for a free port; read back the one we got.
        self.port = int(self._runner.addresses[0][1])
        log.debug("fake Telegram listening on %s", self.base_url)

    async def stop(self) -> None:
        self._closing.set()
        await self.webhook.stop()
        self.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def confirmed_offset(self) -> int:
        return self.updates.confirmed_offset

    # -- HTTP ---------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        method = _CANONICAL.get(raw_method.lower(), raw_method)
        try:
            decoded = await decode_request(request)
        except Exception:
            # An unparsable body is the client's problem: treat it as "no params".
            log.warning("fake Telegram could not decode a %s request body", method, exc_info=True)
            decoded = DecodedRequest()
        call = ApiCall(
            method=method,
            params=decoded.params,
            chat_id=normalize_chat_id(decoded.params.get("chat_id")),
            time=time.monotonic(),
            uploads={name: up.filename for name, up in decoded.uploads.items()},
        )
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            return self._reply(call, ApiError(401, "Unauthorized"))
        handler = HANDLERS.get(method)
        if handler is None:
            return self._reply(call, ApiError(404, "Not Found"))
        failure = self._take_failure(method, call.chat_id)
        if failure is not None:
            return await self._inject(request, call, failure, handler, decoded)
        return await self._execute(call, handler, decoded)

    async def _execute(self, call: ApiCall, handler: Handler, decoded: DecodedRequest) -> web.Response:
        try:
            result = await handler(self, decoded)
        except ApiError as exc:
            return self._reply(call, exc)
        except Exception:
            # A bug in the fake itself: make it loud but keep the protocol valid.
            log.exception("fake Telegram failed handling %s", call.method)
            return self._reply(call, ApiError(500, "Internal Server Error: fake crashed"))
        return self._reply(call, ok_payload(result))

    def _reply(self, call: ApiCall, outcome: ApiError | dict[str, Any]) -> web.Response:
        if isinstance(outcome, ApiError):
            if outcome.code == 429:
                self.count_429 += 1
            status, payload = outcome.code, outcome.payload()
        else:
            status, payload = 200, outcome
        call.status = status
        call.response = payload
        return web.json_response(payload, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self.store.files_by_path.get(request.match_info["path"])
        if self._take_failure("file", None) is not None:  # inject_failure("file"): the download
            return web.json_response(ApiError(500, "Internal Server Error").payload(), status=500)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    async def _sleep(self, delay: float) -> None:
        """Sleep that ends early when the server stops, so teardown stays fast."""
        try:
            await asyncio.wait_for(self._closing.wait(), delay)
        except TimeoutError:
            pass

    # -- helpers used by method handlers ---------------------------------------

    def resolve_chat(self, value: Any) -> int:
        """Turn a chat_id parameter (int, "123", "@name") into a known chat id."""
        chat_id = normalize_chat_id(value)
        if chat_id is None:
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            found = self.store.find_username(chat_id)
            if found is None:
                raise bad_request("chat not found")
            return found
        if self.strict_chats and chat_id not in self.store.chats:
            raise bad_request("chat not found")
        return chat_id

    def target_chat(self, params: dict[str, Any]) -> int:
        """The chat a method acts on; blocked chats answer 403 like Telegram."""
        chat_id = self.resolve_chat(params.get("chat_id"))
        if chat_id in self.migrated:
            raise ApiError(400, UPGRADED, migrate_to_chat_id=self.migrated[chat_id])
        if chat_id in self.blocked:
            if chat_id < 0:
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def admit_send(self, chat_id: int, params: dict[str, Any]) -> None:
        """Flood control for message-creating methods; raises 429 when exceeded."""
        if not self.enforce_limits:
            return
        retry_after = self.limiter.acquire(
            chat_id,
            time.monotonic(),
            paid=bool(params.get("allow_paid_broadcast")),
            global_rate=self.global_rate,
            paid_rate=self.paid_rate,
            per_chat_rate=self.per_chat_rate,
            per_chat_burst=self.per_chat_burst,
        )
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def record_sent(self, chat_id: int) -> None:
        self._sent[chat_id] += 1

    def reset_limits(self) -> None:
        """Refill all flood-control buckets (e.g. after changing the rates)."""
        self.limiter.reset()

    # -- inspection -----------------------------------------------------------

    def block_chat(self, chat_id: int) -> None:
        self.blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def calls_for(self, method: str, chat_id: int | None = None) -> list[ApiCall]:
        method = method.lower()
        return [
            c for c in self.calls if c.method.lower() == method and (chat_id is None or c.chat_id == chat_id)
        ]

    def chat_messages(self, chat_id: int, *, include_user: bool = False) -> list[dict[str, Any]]:
        """Messages in the chat (bot's only by default), edits applied, deletions removed."""
        return [copy.deepcopy(r.message) for r in self.store.records(chat_id, include_user=include_user)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        record = self.store.get(chat_id, message_id)
        return None if record is None else copy.deepcopy(record.message)

    def uploaded(self, message_id: int, chat_id: int) -> bytes:
        """Bytes of the photo/document carried by a message."""
        record = self.store.get(chat_id, message_id)
        if record is None or record.file is None:
            raise KeyError(f"message {message_id} in chat {chat_id} has no file")
        return record.file.content

    def uploaded_name(self, message_id: int, chat_id: int) -> str | None:
        record = self.store.get(chat_id, message_id)
        if record is None or record.file is None:
            raise KeyError(f"message {message_id} in chat {chat_id} has no file")
        return record.file.filename

    def sent_per_chat(self) -> dict[int, int]:
        """chat_id -> number of successful message-creating calls."""
        return dict(self._sent)

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery for a pushed query (incl. ``delay``), or None."""
        record = self.store.callbacks.get(query_id)
        return None if record is None or record.answer is None else dict(record.answer)

    @staticmethod
    def scope_key(scope: dict[str, Any] | None = None) -> str:
        """Key used in ``commands`` for a BotCommandScope dict (None = default)."""
        return misc.scope_key(scope)

    def pending_updates(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(p.update) for p in self.updates.pending]

    async def wait_until(
        self,
        predicate: Callable[[], object],
        timeout: float = DEADLINE,  # noqa: ASYNC109 - a deadline for polling, not an I/O timeout
        message: str | Callable[[], str] | None = None,
    ) -> None:
        """Poll ``predicate`` every 10 ms; AssertionError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                detail = message() if callable(message) else message
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(
                    f"condition {name} not met within {timeout:.1f}s"
                    + (f": {detail}" if detail else "")
                    + f"\nlast API calls: {self._recent_calls()}"
                )
            await asyncio.sleep(0.01)

    def _recent_calls(self, n: int = 8) -> str:
        recent = [c for c in self.calls if c.method != "getUpdates"][-n:]
        return ", ".join(f"{c.method}->{c.status}" for c in recent) or "none"

"""The ``web`` role (:func:`build`): the handlers behind the webhook receiver, journal first.

The webhook receiver (role ``web``, and ``run`` with WEBHOOK_URL) refuses a request without the right
``X-Telegram-Bot-Api-Secret-Token`` (401, nothing written); writes the update to the journal and
commits before it answers 200 (so a 200 means "durable"; anything else makes Telegram retry);
then hands it to the same ordered handling as polling. An update another replica journaled
first is answered 200 and left to it. The app itself, with ``/healthz`` and ``/readyz``, is
bot/web/app.py's: one server for the webhook, the health checks and the HTTP API.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
from aiogram import Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.held_replies import send_held
from bot.polling import DurablePolling, ordering_key
from bot.roles.restart import reclaim_own
from bot.roles.shared import App, BuildOptions, create_core, create_dispatcher
from bot.roles.turns import PartnerTurns
from bot.sending.engine import process_id
from bot.services import Services
from bot.startup import Backoff, until_done
from bot.web.app import create_web_app
from scheduler.runner import STOP_GRACE, finish
from storage.models import utcnow
from storage.repo import inbox, inbox_claims

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
JOURNAL_LEASE = timedelta(seconds=15)  # a dead replica's journaled updates wait this long
SWEEP_EVERY = 5.0  # seconds: renew our rows' lease, take over a dead replica's
MAX_CONNECTIONS = 40  # Telegram's default: parallel requests it keeps open to us
BODY_LIMIT = 1024 * 1024  # an update is a few kB; Telegram's own limit for a message is far below
WEBHOOK_CONCURRENCY = 12  # updates handled at once by one webhook replica


class WebhookReceiver:
    """The aiohttp app Telegram (through the TLS proxy) posts updates to; see module docstring."""

    def __init__(
        self, services: Services, dispatcher: Dispatcher, handling: DurablePolling, *, owner: str
    ) -> None:
        settings = services.settings
        if settings.webhook_url is None or settings.webhook_secret is None:
            raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        self.services = services
        self.dispatcher = dispatcher
        self.handling = handling  # its ordered handling only: per user, in update_id order
        self.url = settings.webhook_url
        self.path = urlsplit(self.url).path or "/"
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self.host = settings.web_host
        self.port = settings.web_port  # the bound port once listening (port 0: any free one)
        self.listening = asyncio.Event()
        self._stop = asyncio.Event()
        self.owner = owner  # journal rows this replica handles carry it (storage.repo.inbox_claims)
        self._senders: set[asyncio.Task[int]] = set()  # held replies taken over (bot/held_replies.py)

    def application(self) -> web.Application:
        """The web application (bot/web/app.py) with Telegram's POST route added."""
        app = create_web_app(self.services)
        app.router.add_post(self.path, self._receive)
        return app

    def stop(self) -> None:
        """Stop accepting updates; in-flight handlers finish first."""
        self._stop.set()

    async def run(self) -> None:
        """Listen, take over unhandled updates nobody holds, register the webhook, serve until stop."""
        runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=5)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            self.port = int(runner.addresses[0][1])
            log.info("Webhook receiver listening on %s:%s%s", self.host, self.port, self.path)
            self.listening.set()
            # Not a replay of everything unhandled: live replicas keep theirs (see _sweep). This
            # host's dead processes are not live: theirs are taken at once (bot/roles/restart.py).
            await reclaim_own(self.services.sessionmaker, self.owner)
            await self._sweep_once()
            sweeper = asyncio.create_task(self._sweep(), name="journal-sweep")
            # Never drop_pending_updates: what Telegram holds for us is delivered here.
            await until_done(
                lambda: self.services.bot.set_webhook(
                    self.url,
                    secret_token=self._secret.decode(),
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                    max_connections=MAX_CONNECTIONS,
                    drop_pending_updates=False,
                ),
                "setWebhook failed",
                Backoff(0.5, 10.0),
                self._sleep_unless_stopped,
                self._stop,
                fatal=(TelegramBadRequest,),
            )
            try:
                await self._stop.wait()
            finally:
                for task in self._senders:  # unsent ones stay held: another replica takes them
                    task.cancel()
                # Stopped: a sweep in progress ends, not cut inside its write; else cancelled.
                await finish(sweeper, grace=STOP_GRACE if self._stop.is_set() else 0)
                await asyncio.gather(*self._senders, return_exceptions=True)
        finally:
            await runner.cleanup()  # no new requests; those in progress are answered
            await self.handling.drain()

    async def _sleep_unless_stopped(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _sweep(self) -> None:
        while True:
            await self._sleep_unless_stopped(SWEEP_EVERY)
            if self._stop.is_set():
                return
            try:
                await self._sweep_once()
            except Exception:
                log.exception("Journal sweep failed; retrying")

    async def run_sweep_once(self) -> None:
        """One sweep now (tests; the receiver sweeps every SWEEP_EVERY by itself)."""
        await self._sweep_once()

    async def _sweep_once(self) -> None:
        """Renew our unhandled rows' lease; claim and handle rows whose replica died."""
        now = utcnow()
        async with self.services.sessionmaker() as session:
            await inbox_claims.renew(session, self.owner, now + JOURNAL_LEASE)
            orphans = await inbox_claims.take_orphans(session, self.owner, now + JOURNAL_LEASE, now)
        if orphans:
            log.info("Taking over %d journaled update(s) no live replica holds", len(orphans))
        for _uid, raw in orphans:
            self.handling.submit(raw)
        async with self.services.sessionmaker() as session:
            held = await inbox_claims.take_held(session, self.owner, now + JOURNAL_LEASE, now)
        if held:
            # Beside the sweep (they wait for send slots), which meanwhile renews their lease.
            log.info("Sending %d reply(ies) a stopped replica held", len(held))
            task = asyncio.create_task(send_held(self.services.bot, self.services.sessionmaker, held))
            self._senders.add(task)
            task.add_done_callback(self._senders.discard)

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("Webhook request from %s refused: wrong or missing secret", request.remote)
            return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.json_response({"ok": False, "error": "too large"}, status=413)
        if len(body) > BODY_LIMIT:
            return web.json_response({"ok": False, "error": "too large"}, status=413)
        raw = _update_of(body)
        if raw is None:
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        try:
            fresh = await self._journal(raw)
        except SQLAlchemyError:
            log.exception("Update %s not journaled; Telegram will retry", raw["update_id"])
            return web.json_response({"ok": False, "error": "unavailable"}, status=503)
        if fresh:
            self.handling.submit(raw)  # after the commit; runs once this answer is on its way
        return web.json_response({"ok": True})

    async def _journal(self, raw: dict[str, Any]) -> bool:
        """Journal and commit; False when the update was journaled before (here or elsewhere)."""
        async with self.services.sessionmaker() as session:
            # ON CONFLICT DO NOTHING: a replica racing us for the same update_id gets no row back.
            claim = inbox.Claim(self.owner, utcnow() + JOURNAL_LEASE, ordering_key)
            fresh = await inbox.journal(session, [raw], claim)
            await session.commit()
        return bool(fresh)


def _update_of(body: bytes) -> dict[str, Any] | None:
    """The update in a request body, or None when it is not a JSON object with an update_id."""
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int) or raw["update_id"] < 0:
        return None
    return raw


def webhook_receiving(services: Services, *, owner: str) -> tuple[Dispatcher, WebhookReceiver]:
    """The handlers behind the webhook receiver, a partner's updates one at a time across
    replicas (bot/roles/turns.py); ``owner`` names this process's journal claims and turns."""
    dp = create_dispatcher(services, turns=PartnerTurns(services.sessionmaker, owner))
    # An update holds a database connection while it runs: more at once than the pool has
    # (10 + 5 overflow) would make the rest fail after the pool timeout instead of queueing.
    handling = DurablePolling(services.bot, dp, services.sessionmaker, max_concurrency=WEBHOOK_CONCURRENCY)
    return dp, WebhookReceiver(services, dp, handling, owner=owner)


def build(settings: Settings, options: BuildOptions) -> App:
    """``nps-bot web``: the webhook receiver + handlers; no worker part (``nps-bot worker`` sends)."""
    if settings.webhook_url is None:
        raise ValueError("nps-bot web receives updates by webhook: set WEBHOOK_URL and WEBHOOK_SECRET")
    core = create_core(settings, options, shared_budget=True)
    dp, receiver = webhook_receiving(core.services, owner=process_id())
    app = App(
        role="web",
        services=core.services,
        dispatcher=dp,
        engine=core.engine,
        receiver=receiver,
        report_engine=core.report_engine,
    )
    from bot.theme_setup import install as install_themes

    install_themes(app)  # the roles that receive updates classify the comments in them
    return app

"""A sick Bot API server never kills the bot: retries with backoff, one log line each.

The app's pauses are recorded instead of waited out (``DurablePolling.sleep`` is injected), so
these tests assert the backoff it chose without sleeping on the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from bot.app import App, build_app
from bot.startup import TokenRejected
from scheduler import runtime
from storage.migrate import upgrade_async
from tests.conftest import MakeSettings
from tests.fakebot import FakeTelegram, SimUser
from tests.helpers import TOKEN

EMPTY_PAUSE = 0.125  # distinct from every backoff step, so the two kinds of pause are told apart


class Recorder:
    """Stands in for the polling's sleep: remembers each pause, waits for none of them."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self.on_pause: Callable[[int], Awaitable[None]] | None = None

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self.on_pause is not None:
            await self.on_pause(len(self.pauses))
        await asyncio.sleep(0.01)  # lets the fake serve others; the test never depends on it

    def backoff(self) -> list[float]:
        return [p for p in self.pauses if p != EMPTY_PAUSE]


StartApp = Callable[..., Awaitable[tuple[App, "asyncio.Task[None]", Recorder]]]


@pytest.fixture
async def start_app(make_settings: MakeSettings) -> AsyncIterator[StartApp]:
    """The production app with a recording sleep; waits for nothing (start-up may be failing)."""
    running: list[tuple[App, asyncio.Task[None]]] = []

    async def _start(
        before_run: Callable[[App], None] | None = None, **overrides: Any
    ) -> tuple[App, asyncio.Task[None], Recorder]:
        settings = make_settings(**overrides)
        await upgrade_async(settings.database_url)
        app = build_app(settings, polling_timeout=1)
        if before_run is not None:
            before_run(app)
        recorder = Recorder()
        app.polling.sleep = recorder
        app.polling.empty_pause = EMPTY_PAUSE
        task = asyncio.create_task(app.run())
        running.append((app, task))
        runtime.bind(app.services)
        return app, task, recorder

    yield _start
    for app, task in running:
        app.stop()
        try:
            await asyncio.wait_for(task, timeout=15)
        except Exception:  # teardown of a start that failed on purpose (TokenRejected...)
            task.cancel()
    runtime.bind(None)


async def _serving(tg: FakeTelegram, user_id: int = 5101) -> None:
    """The bot still answers a partner."""
    user = SimUser(tg, user_id=user_id, first_name="P", language_code="ru")
    await user.send_text("/help")
    await user.wait_text("/forget_me", timeout=10)


async def _polling(tg: FakeTelegram, task: asyncio.Task[None]) -> None:
    await tg.wait_until(lambda: bool(tg.calls_for("getUpdates")) or task.done(), timeout=10)
    assert not task.done(), task


def _one_line_warnings(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    found = [r for r in caplog.records if text in r.getMessage()]
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in found), found
    assert all("\n" not in r.getMessage() for r in found)
    return found


async def test_html_502_on_get_updates_is_retried_with_the_network_backoff(
    tg: FakeTelegram, start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    _app, task, recorder = await start_app()
    await _polling(tg, task)
    tg.inject_failure("getUpdates", "html502", count=3)
    await tg.wait_until(lambda: len([c for c in tg.calls if c.injected == "html502"]) == 3 or task.done())
    await _serving(tg)
    assert not task.done()
    assert recorder.backoff()[:3] == [0.5, 1.0, 2.0]  # the same doubling as a network error
    assert len(_one_line_warnings(caplog, "unreadable reply")) == 3
    assert "<html>" not in caplog.text


async def test_network_errors_then_success_reset_the_backoff(tg: FakeTelegram, start_app: StartApp) -> None:
    _app, task, recorder = await start_app()
    await _polling(tg, task)
    tg.inject_failure("getUpdates", "disconnect", count=2)
    await tg.wait_until(lambda: len([c for c in tg.calls if c.injected == "disconnect"]) == 2 or task.done())
    await _serving(tg)
    tg.inject_failure("getUpdates", "html502", count=1)
    await tg.wait_until(lambda: any(c.injected == "html502" for c in tg.calls) or task.done())
    await _serving(tg, 5102)
    assert recorder.backoff()[:3] == [0.5, 1.0, 0.5]


async def test_another_poller_409_is_logged_and_waited_out(
    tg: FakeTelegram, start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    _app, task, recorder = await start_app()
    await _polling(tg, task)
    # A second instance with the same token: the bot's waiting getUpdates is answered 409.
    async with aiohttp.ClientSession() as http:
        await http.post(f"{tg.base_url}/bot{TOKEN}/getUpdates", json={"timeout": 0})
    await tg.wait_until(lambda: any(c.status == 409 for c in tg.calls) or task.done())
    await _serving(tg)
    assert not task.done()
    assert recorder.backoff()[:1] == [0.5]
    assert _one_line_warnings(caplog, "another instance is polling with this token")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_start_up_waits_for_an_unreachable_telegram(
    start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    port = _free_port()
    late = FakeTelegram(token=TOKEN, port=port)
    app, task, recorder = await start_app(telegram_api_url=f"http://127.0.0.1:{port}")

    async def come_up(attempts: int) -> None:
        if attempts == 3:  # Telegram comes back after the third failed getMe
            await late.start()

    recorder.on_pause = come_up
    try:
        await late.wait_until(lambda: bool(late.calls_for("getUpdates")) or task.done(), timeout=15)
        assert not task.done()
        await _serving(late)
        assert recorder.backoff()[:3] == [0.5, 1.0, 2.0]
        lines = _one_line_warnings(caplog, "Telegram not reachable")
        assert [f"attempt {n}," in r.getMessage() for n, r in enumerate(lines, 1)] == [True] * 3
        assert "Traceback" not in caplog.text
    finally:
        app.stop()
        await asyncio.wait_for(task, 15)
        await late.stop()


async def test_rejected_token_stops_start_up(start_app: StartApp) -> None:
    _app, task, recorder = await start_app(bot_token="123456:not-the-right-one")
    with pytest.raises(TokenRejected, match=r"BOT_TOKEN was rejected by Telegram \(401\)"):
        await asyncio.wait_for(task, 15)
    assert recorder.pauses == []  # no retry: a wrong token does not heal


async def test_a_server_ignoring_timeout_gets_a_pause_after_each_empty_answer(
    tg: FakeTelegram, start_app: StartApp
) -> None:
    tg.ignore_timeout = True
    _app, task, recorder = await start_app()
    await tg.wait_until(lambda: len(tg.calls_for("getUpdates")) >= 5 or task.done(), timeout=10)
    polls = len(tg.calls_for("getUpdates"))
    assert recorder.pauses.count(EMPTY_PAUSE) >= polls - 2  # one per answer (the last may be pending)
    await _serving(tg)


async def test_set_my_commands_failing_in_any_way_never_stops_start_up(
    tg: FakeTelegram, start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    tg.inject_failure("setMyCommands", "html502", count=1)  # not a Telegram error: unreadable
    _app, task, _recorder = await start_app()
    await _polling(tg, task)
    await _serving(tg)
    assert len(_one_line_warnings(caplog, "Could not register command menus")) == 1


async def test_polling_removes_a_stray_webhook_but_never_ours(tg: FakeTelegram, start_app: StartApp) -> None:
    app, task, _recorder = await start_app()
    await _polling(tg, task)
    calls = tg.calls_for("deleteWebhook")
    assert len(calls) == 1 and calls[0].params.get("drop_pending_updates") in (False, "false")
    app.stop()
    await asyncio.wait_for(task, 15)

    def configure_webhook(app: App) -> None:
        # The polling receiver of an install whose settings name a webhook: it must leave it be.
        settings = app.services.settings.model_copy(update={"webhook_url": "https://bot.example.com/"})
        app.dispatcher["settings"] = settings

    _app2, task2, _recorder2 = await start_app(before_run=configure_webhook)
    polls = len(tg.calls_for("getUpdates"))
    # Once it polls, it has passed the point where it would have removed the webhook.
    await tg.wait_until(lambda: len(tg.calls_for("getUpdates")) > polls or task2.done(), timeout=10)
    assert not task2.done()
    assert len(tg.calls_for("deleteWebhook")) == 1


async def test_a_failed_delete_webhook_at_start_up_is_retried_not_fatal(
    tg: FakeTelegram, start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    tg.inject_failure("deleteWebhook", "disconnect", count=1)
    tg.inject_failure("deleteWebhook", "html502", count=1)
    _app, task, _recorder = await start_app()
    await _polling(tg, task)
    await _serving(tg)
    assert len(_one_line_warnings(caplog, "deleteWebhook failed")) == 2

"""Every filter and handler the dispatcher checks runs on the event loop.

aiogram runs a synchronous filter (a bare ``State``, a magic ``F`` rule) or handler in a worker
thread: one thread hop for each handler it is checked against, on every update. The survey's
hot path had three per update; this keeps them from coming back.
"""

from __future__ import annotations

from aiogram import Router

from bot.app import App


def _walk(router: Router) -> list[Router]:
    found = [router]
    for sub in router.sub_routers:
        found += _walk(sub)
    return found


async def test_no_filter_or_handler_runs_in_a_thread(app: App) -> None:
    dp = app.dispatcher
    sync = []
    checked = 0
    for router in _walk(dp):
        for name, observer in router.observers.items():
            for flt in observer._handler.filters or []:
                checked += 1
                if not flt.awaitable:
                    sync.append(f"{router.name}.{name} router filter {flt.callback!r}")
            for handler in observer.handlers:
                checked += 1
                if not handler.awaitable:
                    sync.append(f"{router.name}.{name} handler {handler.callback!r}")
                for flt in handler.filters or []:
                    checked += 1
                    if not flt.awaitable:
                        sync.append(f"{router.name}.{name} {handler.callback.__name__}: {flt.callback!r}")
    assert checked > 50  # the walk really saw the routers
    assert sync == []

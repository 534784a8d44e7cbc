"""Handler routers, in the order they are tried."""

import importlib
from types import ModuleType

from aiogram import Router

from bot.handlers import (
    admin_campaigns,
    admin_hooks,
    admin_partners,
    alerts,
    chat_id,
    errors,
    fallback,
    manager,
    partner_settings,
    start,
    survey,
    survey_followup,
    themes,
)


def _router_of(module: ModuleType) -> Router:
    """The module's router, fresh if an earlier dispatcher took it (tests, restarts in one process).

    aiogram attaches a router to one parent for good; re-running the module builds a new one."""
    router: Router = module.router
    if router.parent_router is not None:
        router = importlib.reload(module).router
    return router


def routers() -> list[Router]:
    """All routers; the survey first (it lets other commands through), then the other commands,
    state-bound conversations next, catch-alls last."""
    ordered = [
        errors,
        chat_id,  # before the survey: it answers in any chat and any state
        survey,
        survey_followup,
        start,
        partner_settings,
        admin_partners,
        admin_campaigns,
        admin_hooks,
        manager,
        themes,
        alerts,
        fallback,
    ]
    return [_router_of(module) for module in ordered]

"""Handler routers, in the order they are tried."""

from aiogram import Router

from bot.handlers import (
    admin_campaigns,
    admin_partners,
    alerts,
    chat_id,
    errors,
    fallback,
    manager,
    partner_settings,
    start,
    survey,
    themes,
)


def _detached(router: Router) -> Router:
    """Module routers are singletons; a new dispatcher (tests, restarts in one process) takes them over."""
    parent = router.parent_router
    if parent is not None:
        parent.sub_routers.remove(router)
        router._parent_router = None
    return router


def routers() -> list[Router]:
    """All routers; the survey first (it lets other commands through), then the other commands,
    state-bound conversations next, catch-alls last."""
    ordered = [
        errors.router,
        chat_id.router,  # before the survey: it answers in any chat and any state
        survey.router,
        start.router,
        partner_settings.router,
        admin_partners.router,
        admin_campaigns.router,
        manager.router,
        themes.router,
        alerts.router,
        fallback.router,
    ]
    return [_detached(r) for r in ordered]

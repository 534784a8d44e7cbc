"""Handler routers, in the order they are tried."""

from aiogram import Router

from bot.handlers import (
    admin_campaigns,
    admin_partners,
    alerts,
    errors,
    fallback,
    manager,
    partner_settings,
    start,
    survey,
)


def routers() -> list[Router]:
    """All routers; commands first, state-bound conversation next, catch-alls last."""
    return [
        errors.router,
        start.router,
        partner_settings.router,
        admin_partners.router,
        admin_campaigns.router,
        manager.router,
        survey.router,
        alerts.router,
        fallback.router,
    ]

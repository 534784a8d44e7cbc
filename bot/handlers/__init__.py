"""Handler routers, in the order they are tried."""

from aiogram import Router

from bot.handlers import (
    admin_campaigns,
    admin_hooks,
    admin_partners,
    alerts,
    chat_id,
    chat_lifecycle,
    dashboard,
    errors,
    fallback,
    manager,
    partner_settings,
    start,
    survey,
    survey_followup,
    themes,
)
from bot.survey_definition import SURVEY, SurveyDefinition


def routers(definition: SurveyDefinition = SURVEY) -> list[Router]:
    """Fresh routers of every module; the survey first (it lets other commands through), then the
    other commands, state-bound conversations next, catch-alls last. The survey's routers run
    the steps of ``definition`` (bot/survey_definition.py)."""
    first = [
        errors,
        chat_lifecycle,  # service messages, membership, edits, other bots' commands
        chat_id,  # before the survey: it answers in any chat and any state
    ]
    rest = [
        start,
        partner_settings,
        admin_partners,
        admin_campaigns,
        dashboard,
        admin_hooks,
        manager,
        themes,
        alerts,
        fallback,
    ]
    return [
        *(module.get_router() for module in first),
        survey.get_router(definition),
        survey_followup.get_router(definition),
        *(module.get_router() for module in rest),
    ]

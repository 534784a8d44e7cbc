"""Placeholder hooks into the managers' side (owned by the insight work).

The survey calls on_response_completed; closing a campaign calls on_campaign_closed.
"""

from __future__ import annotations

from bot.services import Services


async def on_response_completed(services: Services, response_id: int) -> None:
    """A partner finished the survey (detractor alert goes here)."""


async def on_campaign_closed(services: Services, campaign_id: int) -> None:
    """A campaign closed (summary/digest to the managers' chat goes here)."""

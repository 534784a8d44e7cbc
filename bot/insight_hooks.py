"""The survey and campaign life cycle tell the managers' side what happened.

Both hooks are called with no database session open (callers commit first) and never raise:
a failure here must not turn a partner's finished survey or a closed campaign into an error.
"""

from __future__ import annotations

import logging

from bot.digest.alerts import raise_alert
from bot.services import Services

log = logging.getLogger(__name__)


async def on_response_completed(services: Services, response_id: int) -> None:
    """A partner finished the survey: a detractor's answer raises an alert in the managers' chat."""
    try:
        await raise_alert(services, response_id)
    except Exception:
        # The job retries: the alert is either claimed (and re-sent) or still due.
        log.exception("Detractor alert for response %s failed", response_id)


async def on_campaign_closed(services: Services, campaign_id: int) -> None:
    """A campaign closed: its digest goes to the managers' chat."""
    # Imported here: it pulls in matplotlib, which the bot need not load until a digest is due.
    from bot.digest.deliver import push_campaign_closed

    try:
        await push_campaign_closed(services, campaign_id)
    except Exception:
        log.exception("Digest of closed campaign %s failed", campaign_id)

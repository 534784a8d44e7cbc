"""Sealed figures: a closed campaign's answer counts, stored once (``campaign_figures``).

The digest's trend and quarter figures need the NPS of up to eight campaigns, and counting them
walked every answer of each (a million index entries at 125,000 answers a campaign) on every
digest. A campaign's counts only change while it takes answers, so once it has been closed for
:data:`SEAL_AFTER` its counts are stored and read back instead of counted.

Why the wait: a score that passed the campaign's status check just before the close is still
being written for a moment (its handler checks and inserts in one short transaction). Ten
minutes is far beyond that. After it, nothing adds, changes or removes a closed campaign's
answers, with one exception: merging a partner's self-registered twin into the record an admin
made deletes the twin's answers to campaigns the record answered too. That merge unseals the
campaigns concerned (:func:`unseal_answered_by`). Erasure keeps scores as anonymous figures,
so a seal stays true across it.

Seals are written by the worker's hourly maintenance job (:func:`seal_closed`) and, for a
campaign closed since, by the first digest that reads it (:func:`nps_of_campaigns`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.analytics.nps import NpsResult, nps_by_campaign, nps_from_counts
from storage.models import Campaign, CampaignFigures, Response, utcnow
from storage.models import campaign as c

log = logging.getLogger(__name__)

SEAL_AFTER = timedelta(minutes=10)

_STORE = upsert.per_dialect(
    lambda insert: insert(CampaignFigures).on_conflict_do_nothing(index_elements=["campaign_id"])
)


def ripe(status: str, closed_at: datetime | None, now: datetime) -> bool:
    """Whether a campaign takes no more answers for sure (see the module docstring)."""
    return status == c.CLOSED and closed_at is not None and closed_at <= now - SEAL_AFTER


async def nps_of_campaigns(
    session: AsyncSession, campaign_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, NpsResult]:
    """NPS of each given campaign (n=0 without answers), sealed counts read instead of counted.

    With ``now``, campaigns found ripe and not sealed yet are sealed on the way, committed on
    ``session``; a seal that cannot be written (a locked database) is only logged: the figures
    returned are counted either way.
    """
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(
            Campaign.id,
            Campaign.status,
            Campaign.closed_at,
            CampaignFigures.promoters,
            CampaignFigures.passives,
            CampaignFigures.detractors,
        )
        .outerjoin(CampaignFigures, CampaignFigures.campaign_id == Campaign.id)
        .where(Campaign.id.in_(ids))
    )
    result: dict[int, NpsResult] = {}
    unsealed: list[int] = []
    to_seal: list[int] = []
    for cid, status, closed_at, promoters, passives, detractors in rows.all():
        if promoters is not None:
            result[cid] = nps_from_counts(promoters, passives, detractors)
            continue
        unsealed.append(cid)
        if now is not None and ripe(status, closed_at, now):
            to_seal.append(cid)
    counted = await nps_by_campaign(session, unsealed) if unsealed else {}
    result.update(counted)
    for cid in ids:
        result.setdefault(cid, nps_from_counts(0, 0, 0))  # no such campaign
    if to_seal:
        try:
            await _store(session, {cid: counted[cid] for cid in to_seal})
            await session.commit()
        except SQLAlchemyError as exc:
            await session.rollback()
            log.warning("Campaign figures not sealed this time (%s): %s", to_seal, exc)
    return result


async def seal_closed(session: AsyncSession, now: datetime) -> int:
    """Seal every ripe campaign not sealed yet, in the caller's transaction; returns how many."""
    found = await session.execute(
        select(Campaign.id, Campaign.status, Campaign.closed_at)
        .outerjoin(CampaignFigures, CampaignFigures.campaign_id == Campaign.id)
        .where(Campaign.status == c.CLOSED, CampaignFigures.campaign_id.is_(None))
    )
    ids = [cid for cid, status, closed_at in found.all() if ripe(status, closed_at, now)]
    if not ids:
        return 0
    await _store(session, await nps_by_campaign(session, ids))
    return len(ids)


async def unseal_answered_by(session: AsyncSession, partner_id: int) -> None:
    """Drop the seals of the campaigns this partner answered: their answers are about to go."""
    answered = select(Response.campaign_id).where(Response.partner_id == partner_id)
    await session.execute(delete(CampaignFigures).where(CampaignFigures.campaign_id.in_(answered)))


async def _store(session: AsyncSession, figures: dict[int, NpsResult]) -> None:
    sealed_at = utcnow()
    await session.execute(
        upsert.pick(session, _STORE),
        [
            {
                "campaign_id": cid,
                "promoters": f.promoters,
                "passives": f.passives,
                "detractors": f.detractors,
                "sealed_at": sealed_at,
            }
            for cid, f in figures.items()
        ],
    )

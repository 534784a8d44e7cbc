"""Constants and small database helpers shared by the tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import create_engine, create_sessionmaker
from storage.models import Campaign, Delivery, Partner, Response, ResponseDriver, utcnow
from storage.models import campaign as c
from storage.models import delivery as d
from storage.models.response import STAGE_DONE
from storage.repo.responses import SNAPSHOT
from storage.repo.themes import store_comment_themes

if TYPE_CHECKING:
    from bot.app import App

TOKEN = "123456:TEST-token-secret-abcdef"
BOT_ID = 123456
BOT_USERNAME = "partner_pulse_bot"
ADMIN_ID = 900_001
MANAGER_ID = 900_002
MANAGER_CHAT_ID = -1_000_777


async def add_partner(session: AsyncSession, **fields: Any) -> Partner:
    """Insert a partner; ``telegram_id`` etc. as keyword fields."""
    if "monthly_revenue" in fields and fields["monthly_revenue"] is not None:
        fields["monthly_revenue"] = Decimal(str(fields["monthly_revenue"]))
    partner = Partner(**fields)
    session.add(partner)
    await session.flush()
    return partner


async def add_campaign(session: AsyncSession, title: str = "Q", **fields: Any) -> Campaign:
    """Insert a running manual campaign unless told otherwise."""
    fields.setdefault("status", c.RUNNING)
    fields.setdefault("kind", c.MANUAL)
    fields.setdefault("launched_at", utcnow())
    campaign = Campaign(title=title, **fields)
    session.add(campaign)
    await session.flush()
    return campaign


async def invite(
    session: AsyncSession, campaign: Campaign, partner: Partner, status: str = d.SENT
) -> Delivery:
    """An invitation row, as the sending engine leaves it."""
    row = Delivery(kind=d.INVITATION, campaign_id=campaign.id, partner_id=partner.id, status=status)
    session.add(row)
    await session.flush()
    return row


async def add_response(
    session: AsyncSession,
    campaign: Campaign,
    partner: Partner,
    score: int,
    *,
    comment: str | None = None,
    drivers: Iterable[str] = (),
    answered_at: datetime | None = None,
) -> Response:
    """A finished response."""
    now = answered_at or utcnow()
    response = Response(
        campaign_id=campaign.id,
        partner_id=partner.id,
        score=score,
        comment=comment,
        stage=STAGE_DONE,
        answered_at=now,
        completed_at=now,
        # The partner as they are now, as the survey copies them with the score.
        **{name: getattr(partner, name) for name in SNAPSHOT},
    )
    session.add(response)
    await session.flush()
    for area in drivers:
        session.add(ResponseDriver(response_id=response.id, area=area, campaign_id=campaign.id))
    await store_comment_themes(session, response.id, comment, wait=True)  # as the survey does on arrival
    await session.flush()
    return response


async def invited(app: App, campaign_id: int) -> set[int]:
    """Telegram ids with an invitation row in the campaign."""
    async with app.services.sessionmaker() as s:
        rows = await s.scalars(
            select(Partner.telegram_id)
            .join(Delivery, Delivery.partner_id == Partner.id)
            .where(Delivery.campaign_id == campaign_id, Delivery.kind == d.INVITATION)
        )
        return {int(x or 0) for x in rows.all()}


async def stored_answers(db_url: str) -> dict[int, tuple[int | None, str | None]]:
    """Every stored answer by the partner's Telegram id: (score, comment), on an engine of its own
    (the tests that kill a real bot process read its database from outside)."""
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            rows = await s.execute(
                select(Partner.telegram_id, Response.score, Response.comment).join(
                    Response, Response.partner_id == Partner.id
                )
            )
            return {int(t): (score, comment) for t, score, comment in rows.all()}
    finally:
        await engine.dispose()

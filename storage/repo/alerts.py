"""Detractor alerts: exactly one per response, its message in the managers' chat, the relay log.

* An alert row is claimed with INSERT … ON CONFLICT DO NOTHING on the unique ``response_id``,
  so the survey hook and the delayed job can never both raise one. Claiming commits before the
  Telegram message is sent; a row whose message never went out (``message_id`` NULL) is
  retried by the job.
* A partner who changes the score later is not alerted again (one alert per response): the
  alert shows the score at the time it was raised, and managers see later changes in reports.
* Partners who asked to be forgotten raise no alerts: there is no one to call back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.analytics.people import COLUMNS, PartnerRef
from storage.models import Alert, AlertMessage, Campaign, Partner, Response, ResponseDriver, utcnow
from storage.models.alert import OPEN, RESOLVED
from storage.models.response import STAGE_DONE
from storage.repo import hook_events

TO_PARTNER = "to_partner"
FROM_PARTNER = "from_partner"
# The delayed job looks this far back: an old database switched to a new version must not
# flood the managers' chat with alerts about last year's answers.
LOOKBACK_DAYS = 3


@dataclass(frozen=True, slots=True)
class AlertView:
    """Everything an alert message and its buttons need."""

    id: int
    status: str
    chat_id: int | None
    message_id: int | None
    created_at: datetime
    resolved_by: int | None
    resolved_at: datetime | None
    response_id: int
    score: int
    comment: str | None
    finished: bool
    drivers: tuple[str, ...]
    campaign_title: str
    partner: PartnerRef
    telegram_id: int | None
    language: str | None
    partner_id: int = 0
    manager: str | None = None  # the partner's own manager (@username without the @, or an id)

    @property
    def is_open(self) -> bool:
        """Not resolved yet."""
        return self.status == OPEN


def _insert_alert(session: AsyncSession, response_id: int) -> Any:
    """INSERT … ON CONFLICT (response_id) DO NOTHING RETURNING id, for SQLite and PostgreSQL."""
    return (
        upsert.insert(session, Alert)
        .values(response_id=response_id, status=OPEN, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["response_id"])
        .returning(Alert.id)
    )


async def claim(session: AsyncSession, response_id: int) -> int | None:
    """Create the alert of a response; its id, or None when one exists (or none is due).

    Due means: the answer is a detractor's (0-6) and the partner has not been erased.
    """
    due = await session.scalar(
        select(Response.id)
        .join(Partner, Partner.id == Response.partner_id)
        .where(Response.id == response_id, Response.score <= 6, Partner.erased_at.is_(None))
    )
    if due is None:
        return None
    created = await session.scalar(_insert_alert(session, response_id))
    if created is None:
        return None
    await hook_events.alert_event(session, hook_events.ALERT_OPENED, int(created))
    return int(created)


async def due_responses(
    session: AsyncSession, *, now: datetime, delay_minutes: float, limit: int = 50
) -> list[int]:
    """Detractor answers without an alert whose score is older than the delay (finished or not)."""
    cutoff = now - timedelta(minutes=delay_minutes)
    since = now - timedelta(days=LOOKBACK_DAYS)
    rows = await session.scalars(
        select(Response.id)
        .join(Partner, Partner.id == Response.partner_id)
        .where(
            Response.score <= 6,
            Response.answered_at <= cutoff,
            Response.answered_at >= since,
            Partner.erased_at.is_(None),
            ~exists().where(Alert.response_id == Response.id),
        )
        .order_by(Response.answered_at)
        .limit(limit)
    )
    return list(rows)


async def undelivered(session: AsyncSession, *, older_than: datetime, limit: int = 20) -> list[int]:
    """Open alerts whose message never reached the managers' chat (claimed before ``older_than``)."""
    rows = await session.scalars(
        select(Alert.id)
        .where(Alert.message_id.is_(None), Alert.status == OPEN, Alert.created_at <= older_than)
        .order_by(Alert.id)
        .limit(limit)
    )
    return list(rows)


async def view(session: AsyncSession, alert_id: int) -> AlertView | None:
    """The alert with its response, campaign and partner, or None."""
    row = (
        (
            await session.execute(
                select(
                    Alert.id,
                    Alert.status,
                    Alert.chat_id,
                    Alert.message_id,
                    Alert.created_at,
                    Alert.resolved_by,
                    Alert.resolved_at,
                    Response.id.label("response_id"),
                    Response.score,
                    Response.comment,
                    Response.stage,
                    Campaign.title.label("campaign_title"),
                    Partner.telegram_id,
                    Partner.language,
                    *(c.label(f"partner_{c.key}") for c in COLUMNS),
                    Partner.manager,
                )
                .join(Response, Response.id == Alert.response_id)
                .join(Campaign, Campaign.id == Response.campaign_id)
                .join(Partner, Partner.id == Response.partner_id)
                .where(Alert.id == alert_id)
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        return None
    drivers = await session.scalars(
        select(ResponseDriver.area)
        .where(ResponseDriver.response_id == row["response_id"])
        .order_by(ResponseDriver.area)
    )
    ref = PartnerRef.from_row([row[f"partner_{c.key}"] for c in COLUMNS])
    manager = row["manager"]
    return AlertView(
        id=row["id"],
        status=row["status"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        created_at=row["created_at"],
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
        response_id=row["response_id"],
        score=row["score"],
        comment=None if ref.erased else row["comment"],
        finished=row["stage"] == STAGE_DONE,
        drivers=tuple(drivers),
        campaign_title=row["campaign_title"],
        partner=ref,
        telegram_id=None if ref.erased else row["telegram_id"],
        language=row["language"],
        partner_id=ref.partner_id,
        manager=None if manager is None else str(manager),
    )


async def set_message(session: AsyncSession, alert_id: int, chat_id: int, message_id: int) -> None:
    """Remember where the alert was posted (its buttons and replies point there)."""
    await session.execute(
        update(Alert).where(Alert.id == alert_id).values(chat_id=chat_id, message_id=message_id)
    )


async def resolve(session: AsyncSession, alert_id: int, user_id: int) -> bool:
    """Mark resolved by ``user_id`` now; False when it was not open (already resolved or gone)."""
    result = await session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == OPEN)
        .values(status=RESOLVED, resolved_by=user_id, resolved_at=utcnow())
    )
    if not getattr(result, "rowcount", 0):
        return False
    await hook_events.alert_event(session, hook_events.ALERT_RESOLVED, alert_id)
    return True


async def add_message(
    session: AsyncSession, alert_id: int, direction: str, sender_id: int | None, text: str
) -> None:
    """Log one relayed message."""
    session.add(AlertMessage(alert_id=alert_id, direction=direction, sender_id=sender_id, text=text))
    await session.flush()


async def open_alerts(
    session: AsyncSession, limit: int = 30, first: Collection[int] = ()
) -> tuple[list[AlertView], int]:
    """Open alerts, those of the partners in ``first`` (key partners) first, then oldest first
    (up to ``limit``), and how many are open in total."""
    rows = (
        await session.execute(
            select(Alert.id, Response.partner_id)
            .join(Response, Response.id == Alert.response_id)
            .where(Alert.status == OPEN)
            .order_by(Alert.id)
        )
    ).all()
    ordered = sorted(rows, key=lambda row: (row[1] not in first, row[0]))[:limit]
    views = [v for v in [await view(session, alert_id) for alert_id, _pid in ordered] if v is not None]
    return views, len(rows)


async def conversation_of(session: AsyncSession, partner_id: int) -> AlertView | None:
    """The partner's newest open alert that a manager has written into (their replies go there)."""
    alert_id = await session.scalar(
        select(Alert.id)
        .join(Response, Response.id == Alert.response_id)
        .where(
            Response.partner_id == partner_id,
            Alert.status == OPEN,
            Alert.message_id.is_not(None),
            exists().where(AlertMessage.alert_id == Alert.id, AlertMessage.direction == TO_PARTNER),
        )
        .order_by(Alert.id.desc())
        .limit(1)
    )
    return await view(session, alert_id) if alert_id is not None else None


async def messages(session: AsyncSession, alert_id: int) -> list[tuple[str, str | None]]:
    """(direction, text) of the relayed messages, oldest first."""
    rows = await session.execute(
        select(AlertMessage.direction, AlertMessage.text)
        .where(AlertMessage.alert_id == alert_id)
        .order_by(AlertMessage.id)
    )
    return [(str(d), t) for d, t in rows.all()]


async def posted_of_partner(session: AsyncSession, partner_id: int) -> list[int]:
    """Alerts about this partner's answers that sit in the managers' chat (have a message)."""
    rows = await session.scalars(
        select(Alert.id)
        .join(Response, Response.id == Alert.response_id)
        .where(Response.partner_id == partner_id, Alert.message_id.is_not(None))
        .order_by(Alert.id)
    )
    return list(rows)


async def move_chat(session: AsyncSession, old: int, new: int) -> int:
    """The managers' group became supergroup ``new``: its alerts live there now (Telegram keeps
    their message ids), so relays, Reply and Resolved keep working. Returns how many."""
    result = await session.execute(update(Alert).where(Alert.chat_id == old).values(chat_id=new))
    return int(getattr(result, "rowcount", 0) or 0)

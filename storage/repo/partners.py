"""Partner lookups and the partner's own choices (language, opt-out, erasure)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AlertMessage, Partner, Response, utcnow
from storage.models.alert import Alert
from storage.models.partner import OPTED_IN, STAFF
from storage.repo import hook_events
from storage.tables import table_of

INVITE_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_invite_code() -> str:
    """Unguessable code for a /start deep link (~95 bits; deep links allow [A-Za-z0-9_-], 64 chars)."""
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(16))


@dataclass(frozen=True, slots=True)
class PartnerRef:
    """What handlers read about the partner behind an update (no ORM object: read on every update)."""

    id: int
    name: str | None
    external_id: str | None
    language: str | None
    opted_out: bool
    blocked_at: datetime | None
    role: str | None = None

    @property
    def staff(self) -> bool:
        """An admin or manager the bot knows, not a partner (see ``Partner.role``)."""
        return self.role == STAFF


_PARTNERS = table_of(Partner)
# The columns of a PartnerRef, in its order (storage.fsm_storage reads them too).
REF_COLUMNS = (
    _PARTNERS.c.id,
    _PARTNERS.c.name,
    _PARTNERS.c.external_id,
    _PARTNERS.c.language,
    _PARTNERS.c.opted_out,
    _PARTNERS.c.blocked_at,
    _PARTNERS.c.role,
)
_REF_BY_TELEGRAM_ID = select(*REF_COLUMNS).where(_PARTNERS.c.telegram_id == bindparam("telegram_id"))


async def ref_by_telegram_id(session: AsyncSession, telegram_id: int) -> PartnerRef | None:
    """The partner linked to a Telegram user, as a :class:`PartnerRef`."""
    row = (await session.execute(_REF_BY_TELEGRAM_ID, {"telegram_id": telegram_id})).first()
    return PartnerRef(*row) if row is not None else None


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Partner | None:
    """The partner linked to a Telegram user."""
    return await session.scalar(select(Partner).where(Partner.telegram_id == telegram_id))


async def get(session: AsyncSession, partner_id: int) -> Partner | None:
    """A partner by id."""
    return await session.get(Partner, partner_id)


async def by_invite_code(session: AsyncSession, code: str) -> Partner | None:
    """The partner an invite code was made for."""
    return await session.scalar(select(Partner).where(Partner.invite_code == code))


async def register(
    session: AsyncSession,
    telegram_id: int,
    *,
    name: str | None,
    username: str | None,
    language: str | None,
    staff: bool = False,
) -> Partner:
    """Create (or re-activate) the record of a Telegram user who pressed /start.

    ``staff`` (an admin or manager) is recorded as such, not as a partner, unless an import
    (an external id) or their own opt-in already made them one."""
    partner = await by_telegram_id(session, telegram_id)
    if partner is None:
        partner = Partner(telegram_id=telegram_id, language=language, role=STAFF if staff else None)
        session.add(partner)
    elif staff and partner.external_id is None and partner.role is None:
        partner.role = STAFF  # self-registered before: pressing Start never made staff a partner
    _activate(partner, name=name, username=username)
    await session.flush()
    return partner


async def register_new(
    session: AsyncSession,
    telegram_id: int,
    *,
    name: str | None,
    username: str | None,
    language: str | None,
    role: str | None = None,
) -> int:
    """:func:`register` for a user with no partner record yet (a stranger's first /survey); the id."""
    partner = Partner(telegram_id=telegram_id, language=language, role=role)
    _activate(partner, name=name, username=username)
    session.add(partner)
    await session.flush()
    return partner.id


def _activate(partner: Partner, *, name: str | None, username: str | None) -> None:
    """The user pressed /start: keep their Telegram names and (re)subscribe them."""
    partner.name = partner.name or name
    partner.username = username
    partner.opted_out = False
    partner.blocked_at = None
    partner.started_at = partner.started_at or utcnow()


async def link_invite(
    session: AsyncSession,
    partner: Partner,
    telegram_id: int,
    *,
    name: str | None,
    username: str | None,
    language: str | None,
) -> Partner:
    """Attach a Telegram user to the admin-created ``partner``; a self-registered twin is merged."""
    twin = await by_telegram_id(session, telegram_id)
    if twin is not None and twin.id != partner.id:
        # Answers given before the invite was used move to the real record (unless it has its own).
        taken = set(
            (
                await session.scalars(select(Response.campaign_id).where(Response.partner_id == partner.id))
            ).all()
        )
        await session.execute(
            update(Response)
            .where(Response.partner_id == twin.id, Response.campaign_id.not_in(taken or {-1}))
            .values(partner_id=partner.id)
        )
        await session.delete(twin)
        await session.flush()
    partner.telegram_id = telegram_id
    partner.language = partner.language or language
    partner.invite_used_at = utcnow()
    _activate(partner, name=name, username=username)
    await session.flush()
    return partner


async def mark_staff(session: AsyncSession, telegram_ids: Iterable[int]) -> int:
    """Self-registered records of these users (admins) become staff; imported or opted-in ones
    stay partners. Returns how many changed."""
    ids = list(telegram_ids)
    if not ids:
        return 0
    result = await session.execute(
        update(Partner)
        .where(Partner.telegram_id.in_(ids), Partner.external_id.is_(None), Partner.role.is_(None))
        .values(role=STAFF)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def opt_in(
    session: AsyncSession, telegram_id: int, *, name: str | None, username: str | None, language: str | None
) -> Partner:
    """Staff who asked to take part as a partner too (/start partner): counted and surveyed."""
    partner = await register(session, telegram_id, name=name, username=username, language=language)
    if partner.role == STAFF or partner.external_id is None:
        partner.role = OPTED_IN
    await session.flush()
    return partner


async def set_language(session: AsyncSession, partner_id: int, language: str) -> None:
    """Remember the partner's language."""
    await session.execute(update(Partner).where(Partner.id == partner_id).values(language=language))


async def set_opted_out(session: AsyncSession, partner_id: int, opted_out: bool) -> None:
    """Stop or resume surveys for the partner (stopping is a partner.opted_out event)."""
    await session.execute(update(Partner).where(Partner.id == partner_id).values(opted_out=opted_out))
    if opted_out:
        external_id = await session.scalar(select(Partner.external_id).where(Partner.id == partner_id))
        await hook_events.partner_event(session, hook_events.PARTNER_OPTED_OUT, partner_id, external_id)


async def erase(session: AsyncSession, partner: Partner) -> None:
    """Forget a partner: personal data and comments go, scores stay as anonymous figures.

    Webhook events not delivered yet lose the partner's text, and partner.erased (with the CRM
    id, which is forgotten here) follows their other events."""
    external_id = partner.external_id
    await session.execute(update(Response).where(Response.partner_id == partner.id).values(comment=None))
    alert_ids = (
        select(Alert.id)
        .join(Response, Response.id == Alert.response_id)
        .where(Response.partner_id == partner.id)
    )
    await session.execute(delete(AlertMessage).where(AlertMessage.alert_id.in_(alert_ids)))
    partner.external_id = None
    partner.telegram_id = None
    partner.username = None
    partner.name = None
    partner.invite_code = None
    partner.monthly_revenue = None
    partner.opted_out = True
    partner.erased_at = utcnow()
    await session.flush()
    await hook_events.partner_erased(session, partner.id, external_id)

"""Endpoints of the outbound webhooks: added by admins (/hook_add) or from HOOKS_FILE.

The secret (``whsec_<base64>`` of 32 random bytes) is made here, shown once by the caller, and
never logged. Events are subscribed by name (``response.created``), by family
(``response.*``) or all (``*``).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HookEndpoint
from storage.models.hook import FROM_CHAT, FROM_FILE

EVENT_TYPES = (
    "response.created",
    "response.updated",
    "response.completed",
    "alert.opened",
    "alert.resolved",
    "partner.opted_out",
    "partner.erased",
    "campaign.closed",
)
TEST_EVENT = "hook.test"  # /hook_test sends it whatever the endpoint subscribed to
ALL = "*"


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks form."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def parse_events(words: Iterable[str]) -> str:
    """The normalised events field for the given names or patterns; ValueError names a bad one.

    ``response.created,alert.*`` and several words are both accepted; nothing means every event.
    """
    wanted: list[str] = []
    for word in words:
        for part in word.replace(",", " ").split():
            name = part.strip().lower()
            if name == ALL:
                return ALL
            if name.endswith(".*"):
                family = name[:-1]
                if not any(t.startswith(family) for t in EVENT_TYPES):
                    raise ValueError(part)
            elif name not in EVENT_TYPES:
                raise ValueError(part)
            if name not in wanted:
                wanted.append(name)
    return " ".join(wanted) or ALL


def subscribed(events: str, event_type: str) -> bool:
    """True when an endpoint with this events field gets ``event_type``."""
    for name in events.split():
        if name == ALL or name == event_type:
            return True
        if name.endswith(".*") and event_type.startswith(name[:-1]):
            return True
    return False


def mask(secret: str) -> str:
    """What a list may show of a secret: its prefix and last four characters."""
    return f"whsec_…{secret[-4:]}"


async def listed(session: AsyncSession) -> Sequence[HookEndpoint]:
    """Every endpoint, oldest first."""
    return (await session.scalars(select(HookEndpoint).order_by(HookEndpoint.id))).all()


async def get(session: AsyncSession, endpoint_id: int) -> HookEndpoint | None:
    """One endpoint."""
    return await session.get(HookEndpoint, endpoint_id)


async def by_url(session: AsyncSession, url: str) -> HookEndpoint | None:
    """The endpoint with this URL."""
    return await session.scalar(select(HookEndpoint).where(HookEndpoint.url == url))


async def add(
    session: AsyncSession, url: str, events: str, *, created_by: int | None = None, source: str = FROM_CHAT
) -> HookEndpoint:
    """A new enabled endpoint with a fresh secret (the caller checked the URL and events)."""
    endpoint = HookEndpoint(url=url, secret=new_secret(), events=events, source=source, created_by=created_by)
    session.add(endpoint)
    await session.flush()
    return endpoint


async def remove(session: AsyncSession, endpoint_id: int) -> bool:
    """Delete an endpoint and what it was still owed; False when there was none."""
    result = await session.execute(delete(HookEndpoint).where(HookEndpoint.id == endpoint_id))
    return bool(getattr(result, "rowcount", 0))


async def enable(session: AsyncSession, endpoint_id: int) -> bool:
    """Turn a disabled endpoint back on with a clean failure record."""
    result = await session.execute(
        update(HookEndpoint)
        .where(HookEndpoint.id == endpoint_id)
        .values(
            enabled=True, disabled_reason=None, failing_since=None, failures=0, retry_at=None, alerted_at=None
        )
    )
    return bool(getattr(result, "rowcount", 0))


@dataclass(frozen=True, slots=True)
class FileEndpoint:
    """One ``[[hooks]]`` table of HOOKS_FILE."""

    url: str
    secret: str
    events: str = ALL
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class FileSync:
    """What applying HOOKS_FILE changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0


async def sync_file(session: AsyncSession, wanted: Sequence[FileEndpoint]) -> FileSync:
    """Make the file's endpoints exactly those in ``wanted`` (matched by URL); endpoints added in
    the chat are left alone. A changed secret or event list is taken over; a disabled one stays
    disabled unless its entry changed."""
    current = {
        e.url: e
        for e in (await session.scalars(select(HookEndpoint).where(HookEndpoint.source == FROM_FILE))).all()
    }
    added = updated = 0
    for item in wanted:
        row = current.pop(item.url, None)
        if row is None:
            taken = await by_url(session, item.url)
            if taken is not None:  # added in the chat first: the file takes it over
                row = taken
                row.source = FROM_FILE
        if row is None:
            session.add(
                HookEndpoint(
                    url=item.url,
                    secret=item.secret,
                    events=item.events,
                    source=FROM_FILE,
                    allow_private=item.allow_private,
                )
            )
            added += 1
            continue
        if (row.secret, row.events, row.allow_private) != (item.secret, item.events, item.allow_private):
            row.secret, row.events, row.allow_private = item.secret, item.events, item.allow_private
            row.enabled, row.disabled_reason = True, None
            updated += 1
    for row in current.values():
        await session.delete(row)
    await session.flush()
    return FileSync(added, updated, len(current))

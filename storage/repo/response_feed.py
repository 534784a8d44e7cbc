"""Answers as the outside world sees them: one JSON-ready shape for webhooks and the read API.

A response is described with its partner's ``external_id`` (the CRM's id), its campaign, score,
category, comment, areas and comment themes (a person's tag wins over the classifier's). An
erased partner's comment is gone from the table already (storage.repo.partners.erase); the
description blanks it again on the partner's ``erased_at`` so no path can leak it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.areas import active as active_areas
from storage.models import Campaign, Partner, Response, ResponseDriver, ResponseTheme, category_of
from storage.models.response import STAGE_DONE
from storage.models.theme import THEME_SEPARATOR

PAGE = 1000


def iso(value: datetime | None) -> str | None:
    """RFC 3339 UTC text (``2026-12-06T21:04:30.123456Z``)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_COLUMNS = (
    Response.id,
    Response.partner_id,
    Partner.external_id,
    Partner.erased_at,
    Response.campaign_id,
    Campaign.title,
    Response.round,
    Response.score,
    Response.comment,
    Response.stage,
    Response.answered_at,
    Response.updated_at,
    Response.completed_at,
)


def _joined(*columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(Response)
        .join(Partner, Partner.id == Response.partner_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
    )


async def _areas(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, set[str]] = {}
    if ids:
        rows = await session.execute(
            select(ResponseDriver.response_id, ResponseDriver.area).where(ResponseDriver.response_id.in_(ids))
        )
        for rid, area in rows.all():
            found.setdefault(int(rid), set()).add(str(area))
    order = active_areas()
    return {
        rid: [a for a in order if a in chosen] + sorted(chosen - set(order)) for rid, chosen in found.items()
    }


async def _themes(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if ids:
        rows = await session.execute(
            select(ResponseTheme.response_id, ResponseTheme.areas, ResponseTheme.manual).where(
                ResponseTheme.response_id.in_(ids)
            )
        )
        for rid, auto, manual in rows.all():
            chosen = manual if manual is not None else auto
            found[int(rid)] = [a for a in (chosen or "").split(THEME_SEPARATOR) if a]
    return found


def _describe(row: Any, areas: list[str], themes: list[str]) -> dict[str, Any]:
    (rid, pid, external_id, erased_at, cid, title, round_, score, comment, stage, answered, updated, done) = (
        row
    )
    erased = erased_at is not None
    return {
        "response_id": int(rid),
        "partner_id": int(pid),
        "external_id": None if erased else external_id,
        "campaign_id": int(cid),
        "campaign": title,
        "round": int(round_),
        "score": int(score),
        "category": category_of(int(score)),
        "comment": None if erased else comment,
        "areas": areas,
        "themes": [] if erased else themes,
        "completed": stage == STAGE_DONE,
        "answered_at": iso(answered),
        "updated_at": iso(updated),
        "completed_at": iso(done),
    }


async def describe_many(session: AsyncSession, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Descriptions of response rows selected with :data:`_COLUMNS`, in their order."""
    ids = [int(r[0]) for r in rows]
    areas = await _areas(session, ids)
    themes = await _themes(session, ids)
    return [_describe(r, areas.get(int(r[0]), []), themes.get(int(r[0]), [])) for r in rows]


async def describe(session: AsyncSession, response_id: int) -> dict[str, Any] | None:
    """One response as webhooks and the API show it; None when it is gone."""
    row = (await session.execute(_joined(*_COLUMNS).where(Response.id == response_id))).first()
    if row is None:
        return None
    return (await describe_many(session, [row]))[0]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of changed responses and where the next starts (None: caught up for now)."""

    items: list[dict[str, Any]]
    after: tuple[datetime, int] | None


async def changes(
    session: AsyncSession,
    *,
    after: tuple[datetime, int] | None,
    since: datetime | None,
    until: datetime,
    limit: int = PAGE,
) -> Page:
    """Responses changed after the cursor (or at/after ``since``), oldest change first, up to
    ``until`` (exclusive: changes younger than that may still be committing)."""
    conditions = [Response.updated_at < until]
    if after is not None:
        at, rid = after
        conditions.append(or_(Response.updated_at > at, and_(Response.updated_at == at, Response.id > rid)))
    elif since is not None:
        conditions.append(Response.updated_at >= since)
    stmt = _joined(*_COLUMNS).where(*conditions).order_by(Response.updated_at, Response.id).limit(limit)
    rows = (await session.execute(stmt)).all()
    items = await describe_many(session, rows)
    last = rows[-1] if rows else None
    nxt = (last[11], int(last[0])) if last is not None else after
    return Page(items, nxt)


__all__ = ["PAGE", "Page", "changes", "describe", "describe_many", "iso"]

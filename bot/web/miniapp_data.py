"""What the Mini App's views show, as JSON-ready dicts, from the queries the digest and /report use.

Numbers come from :mod:`storage.analytics` through the same functions as the chat's figures
(``campaign_report``, ``breakdown``, ``current_campaign``), so a figure on the dashboard equals
the one in the chat. Texts for people (group and area names) are plain here: the page puts them
in with ``textContent``, never as HTML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.digest import fmt
from bot.i18n import Translate
from storage.analytics import retention
from storage.analytics.breakdown import FOLDED, UNSET, Breakdown, breakdown
from storage.analytics.campaigns import CampaignInfo, campaign_info, previous_of, regular_campaigns
from storage.analytics.comment_list import CommentPage
from storage.analytics.key_partner_nps import nps_of_partners
from storage.analytics.key_partners import key_partners
from storage.analytics.nps import NpsChange, NpsResult, compare, nps_by_campaign
from storage.analytics.people import PartnerRef
from storage.analytics.report import (
    DIMENSIONS,
    TREND_LENGTH,
    CampaignReport,
    Sessions,
    campaign_frame,
    campaign_report,
    current_campaign,
)
from storage.repo.alerts import AlertView

BREAKDOWN_DIMENSIONS = DIMENSIONS  # what /report breaks down by


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def nps_json(figure: NpsResult, locale: str = "en") -> dict[str, Any]:
    """An NPS figure with its margin and counts; ``shown`` and ``margin_shown`` as the chat writes them."""
    return {
        "shown": fmt.signed(figure.nps),
        "margin_shown": fmt.decimal1(figure.margin, locale),
        "nps": None if figure.nps is None else round(figure.nps, 1),
        "margin": None if figure.margin is None else round(figure.margin, 1),
        "n": figure.n,
        "promoters": figure.promoters,
        "passives": figure.passives,
        "detractors": figure.detractors,
    }


def change_json(change: NpsChange) -> dict[str, Any] | None:
    """A change between two figures, or None when either side had no answers."""
    if change.delta is None:
        return None
    return {"delta": round(change.delta, 1), "significant": change.significant}


def campaign_json(info: CampaignInfo) -> dict[str, Any]:
    """The campaign fields the picker shows."""
    return {
        "id": info.id,
        "title": info.title,
        "kind": info.kind,
        "status": info.status,
        "launched_at": _time(info.launched_at),
        "closed_at": _time(info.closed_at),
    }


def partner_name(ref: PartnerRef, _: Translate) -> str:
    """Plain name, @username or external id (the chat's label, unescaped)."""
    if ref.erased:
        return _("dg-erased")
    parts = [p for p in (ref.name, f"@{ref.username}" if ref.username else None) if p]
    if not parts and ref.external_id:
        parts.append(ref.external_id)
    return " ".join(parts) if parts else _("dg-partner-id", id=str(ref.partner_id))


def area_name(area: str, _: Translate) -> str:
    """Localised name of a driver area or theme."""
    return _(f"area-{area}")


async def campaigns(session: AsyncSession) -> dict[str, Any]:
    """The picker: regular campaigns newest first, and which one is current."""
    series = await regular_campaigns(session)
    current = await current_campaign(session)
    return {
        "campaigns": [campaign_json(c) for c in reversed(series)],
        "current": current.id if current is not None else None,
    }


async def overview(
    sessions: Sessions, campaign_id: int, settings: Settings, locale: str
) -> dict[str, Any] | None:
    """NPS with margin and n, the trend and the change against the previous campaign (None when
    the campaign does not exist): the first steps of ``campaign_report``, with its functions, so
    the first paint waits for nothing else."""
    frame = await campaign_frame(sessions, campaign_id, settings.tz, TREND_LENGTH)
    if frame is None:
        return None
    async with sessions() as session:
        figures = await nps_by_campaign(session, sorted(frame.wanted))
    nps = figures[frame.campaign.id]
    previous = frame.previous if frame.previous is not None and figures[frame.previous.id].n else None
    trend = frame.upto[-TREND_LENGTH:] if frame.campaign.regular else ()
    change = compare(nps, figures[previous.id]) if previous is not None else None
    return {
        "campaign": campaign_json(frame.campaign),
        "nps": nps_json(nps, locale),
        "vs_previous": (
            {"label": previous.title, **(change_json(change) or {})}
            if previous is not None and change is not None and change.delta is not None
            else None
        ),
        "trend": [{"id": c.id, "label": c.title, **nps_json(figures[c.id], locale)} for c in trend],
    }


async def drivers(
    sessions: Sessions, campaign_id: int, settings: Settings, _: Translate, locale: str
) -> dict[str, Any] | None:
    """Driver areas and comment themes of one campaign (None when it does not exist)."""
    report = await campaign_report(
        sessions, campaign_id, tz=settings.tz, min_group_size=settings.min_group_size, dimensions=()
    )
    return None if report is None else drivers_json(report, settings.min_group_size, _, locale)


def drivers_json(report: CampaignReport, min_size: int, _: Translate, locale: str) -> dict[str, Any]:
    """The drivers and themes of a built report."""
    return {
        "campaign": campaign_json(report.campaign),
        "drivers": [
            {
                "area": d.area,
                "name": area_name(d.area, _),
                "count": d.count,
                "share": round(d.share, 4),
                # a small group's NPS could be traced to a partner: count only, as the digest does
                "nps": nps_json(d.nps, locale) if d.count >= min_size else None,
            }
            for d in report.drivers
        ],
        "themes": [
            {"area": t.area, "name": area_name(t.area, _), "count": t.count, "share": round(t.share, 4)}
            for t in report.comments.themes
        ],
        "commented": report.comments.commented,
        "unclassified": report.comments.unclassified,
    }


async def breakdown_view(
    session: AsyncSession, campaign: CampaignInfo, dimension: str, min_size: int, _: Translate, locale: str
) -> dict[str, Any]:
    """One dimension's folded groups, each with its change against the previous campaign."""
    now, _revenue = await breakdown(session, campaign.id, dimension, min_size, with_revenue=False)
    before: Breakdown | None = None
    previous = previous_of(await regular_campaigns(session), campaign.id) if campaign.regular else None
    if previous is not None:
        before, _revenue = await breakdown(session, previous.id, dimension, min_size, with_revenue=False)
    earlier = before.named() if before is not None else {}
    groups = []
    for group in now.groups:
        old = earlier.get(group.key) if group.key is not None else None
        groups.append(
            {
                "key": group.key,
                "name": _("dg-group-other")
                if group.key is FOLDED
                else _("dg-group-unset")
                if group.key == UNSET
                else group.key,
                "folded": group.folded,
                **nps_json(group.nps, locale),
                "change": change_json(compare(group.nps, old.nps)) if old is not None else None,
            }
        )
    return {
        "dimension": dimension,
        "hidden": now.hidden,
        "min_group_size": min_size,
        "previous": previous.title if previous is not None else None,
        "groups": groups,
    }


def comments_json(page: CommentPage, number: int, anonymous: bool, _: Translate) -> dict[str, Any]:
    """A page of comments; authors left out when ANONYMOUS_DIGESTS is on."""
    return {
        "page": number,
        "more": page.more,
        "items": [
            {
                "id": c.response_id,
                "score": c.score,
                "text": c.text,
                "at": _time(c.answered_at),
                "who": None if anonymous else partner_name(c.partner, _),
            }
            for c in page.items
        ],
    }


def alert_json(view: AlertView, _: Translate, *, key: bool = False) -> dict[str, Any]:
    """An open detractor alert as the chat shows it (alerts always name the partner to call)."""
    return {
        "id": view.id,
        "score": view.score,
        "comment": view.comment,
        "who": partner_name(view.partner, _),
        "segment": view.partner.segment,
        "tier": view.partner.tier,
        "campaign": view.campaign_title,
        "created_at": _time(view.created_at),
        "drivers": [area_name(a, _) for a in view.drivers],
        "key_partner": key,
    }


async def campaign_or_current(session: AsyncSession, campaign_id: int | None) -> CampaignInfo | None:
    """The asked campaign, or the current one (storage.analytics.campaigns) when none was asked."""
    if campaign_id is not None:
        return await campaign_info(session, campaign_id)
    return await current_campaign(session)


async def kpi_view(session: AsyncSession, campaign_id: int, tz: ZoneInfo, locale: str) -> dict[str, Any]:
    """The campaign's retention table (the API's JSON) and the key partners with their NPS."""
    table = await retention.retention(session, campaign_id, tz)
    key = await key_partners(session)
    if table is None or (not key.months and not any(c.partners for c in table.categories.values())):
        return {"available": False}  # no KPI imported yet
    key_nps = await nps_of_partners(session, campaign_id, key.ids)
    total = key.total_cents
    key_cents = sum(key.trailing_cents.get(pid, 0) for pid in key.ids)
    return {
        "available": True,
        "retention": retention.as_json(table),
        "months_to_complete": 0 if table.window_complete else retention.WINDOW - table.months_available,
        "key_partners": {
            "count": len(key.ids),
            "months": list(key.months),
            "revenue_share": round(key_cents / total, 4) if total > 0 else None,
            "nps": nps_json(key_nps, locale),
        },
    }

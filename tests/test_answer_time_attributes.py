"""History stays true: answers keep the partner's segment, tier, geo, niche and manager as they
were when the score was stored, and reports group by those, so re-importing partners with new
segments changes no past figure. Niche is a breakdown like segment, tier and geo."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.analytics.nps import nps_for
from storage.analytics.report import campaign_report
from storage.models import Campaign, Partner, Response
from storage.models import campaign as c
from storage.repo import imports, responses

Sessions = async_sessionmaker[AsyncSession]
TODAY = datetime(2026, 12, 6, tzinfo=UTC).date()


def _partners_csv(segment_of: dict[int, str], niche: str) -> bytes:
    lines = ["external_id,segment,tier,geo,niche,manager"]
    lines += [
        f"H-{i},{seg},t{i % 2},RU,{niche if i % 3 else 'other'},@mgr_{i % 2}x"
        for i, seg in segment_of.items()
    ]
    return ("\n".join(lines) + "\n").encode()


def _figures(report: object) -> dict[str, object]:
    breakdowns = report.breakdowns  # type: ignore[attr-defined]
    return {dim: [(g.key, g.nps.n, g.nps.nps) for g in b.groups] for dim, b in breakdowns.items()}


async def test_reimport_with_new_segments_leaves_past_reports_unchanged(db: Sessions) -> None:
    first = {i: ("blog" if i < 12 else "shop") for i in range(24)}
    _, report = await imports.import_csv(db, _partners_csv(first, "finance"), TODAY)
    assert report.created == 24
    async with db() as s:
        campaign = Campaign(
            title="Q1", kind=c.MANUAL, status=c.CLOSED, launched_at=datetime(2026, 1, 6, tzinfo=UTC)
        )
        s.add(campaign)
        await s.flush()
        ids = {p.external_id: p.id for p in (await s.scalars(select(Partner))).all()}
        for i in range(24):
            # The survey's own write: the score, with the partner's attributes copied.
            await responses.record_score(s, None, campaign.id, ids[f"H-{i}"], (i * 7) % 11, None)
        await s.commit()
        cid = campaign.id
    tz = ZoneInfo("UTC")
    before = await campaign_report(db, cid, tz=tz, min_group_size=5)
    assert before is not None
    figures = _figures(before)
    assert [k for k, *_ in figures["segment"]] == ["blog", "shop"]
    assert "finance" in [k for k, *_ in figures["niche"]]
    async with db() as s:
        blog = await nps_for(s, campaign_id=cid, segment="blog")
        stored = (await s.execute(select(Response.segment, Response.manager).order_by(Response.id))).all()
    assert stored[0] == ("blog", "mgr_0x")

    # Everyone moves to new segments and niches; past figures must not move with them.
    _, report = await imports.import_csv(
        db, _partners_csv(dict.fromkeys(range(24), "enterprise"), "gaming"), TODAY
    )
    assert report.updated == 24
    after = await campaign_report(db, cid, tz=tz, min_group_size=5)
    assert after is not None
    assert _figures(after) == figures
    async with db() as s:
        assert await nps_for(s, campaign_id=cid, segment="blog") == blog
        assert (await nps_for(s, campaign_id=cid, segment="enterprise")).n == 0

    # A new answer takes the partner as they are now.
    async with db() as s:
        q2 = Campaign(
            title="Q2", kind=c.MANUAL, status=c.RUNNING, launched_at=datetime(2026, 4, 7, tzinfo=UTC)
        )
        s.add(q2)
        await s.flush()
        await responses.record_score(s, None, q2.id, ids["H-1"], 9, None)
        await s.commit()
        segment = await s.scalar(select(Response.segment).where(Response.campaign_id == q2.id))
    assert segment == "enterprise"

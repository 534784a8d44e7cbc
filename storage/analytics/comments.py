"""What partners wrote: themes of comments, frequent phrases, and short quotes.

Themes were classified when each comment arrived (:mod:`storage.repo.themes`); a report only
counts them, over every comment of the campaign, and a theme counts only when the classifier was
confident or a person tagged it — the rest is shown as a number of unclassified comments.
Frequent phrases are counted over a bounded sample, the latest :data:`THEME_SAMPLE` comments;
that is CPU work, so callers run :func:`summarize` in a worker thread (``asyncio.to_thread``)
so the bot keeps answering while the SQL of the rest of the report runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics.people import COLUMNS, PartnerRef
from storage.analytics.phrases import top_phrases
from storage.models import Partner, Response
from storage.repo.themes import ThemeCounts

THEME_SAMPLE = 1000
PHRASE_COUNT = 8
# Quotes should say something but stay short; longer ones are cut by the renderer anyway.
QUOTE_MIN_CHARS = 12


@dataclass(frozen=True, slots=True)
class ThemeStat:
    """One theme (an area key) and how many of the campaign's comments touch it."""

    area: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class CommentSummary:
    """Themes of the campaign's comments and phrases of the sampled ones."""

    sampled: int  # comments the phrases come from
    themes: tuple[ThemeStat, ...]
    phrases: tuple[tuple[str, int], ...]
    commented: int = 0  # comments the theme shares are of
    unclassified: int = 0  # not confident and not tagged by a person


@dataclass(frozen=True, slots=True)
class Quote:
    """A comment with its score and author (author hidden by the renderer when anonymous)."""

    response_id: int
    score: int
    text: str
    partner: PartnerRef


async def latest_comments(session: AsyncSession, campaign_id: int, limit: int = THEME_SAMPLE) -> list[str]:
    """The newest ``limit`` non-empty comments of a campaign."""
    rows = await session.scalars(
        select(Response.comment)
        .where(Response.campaign_id == campaign_id, Response.comment.is_not(None))
        .order_by(Response.answered_at.desc(), Response.id.desc())
        .limit(limit)
    )
    return [text for text in rows if text and text.strip()]


def summarize(counts: ThemeCounts, texts: Sequence[str], phrase_count: int = PHRASE_COUNT) -> CommentSummary:
    """Stored theme counts (a comment may touch several areas) and the most frequent phrases."""
    total = counts.commented
    stats = tuple(ThemeStat(area, n, n / total if total else 0.0) for area, n in counts.areas)
    phrases = tuple(top_phrases(texts, n=phrase_count))
    return CommentSummary(len(texts), stats, phrases, total, counts.unclassified)


async def quotes(session: AsyncSession, campaign_id: int, *, promoters: bool, limit: int = 2) -> list[Quote]:
    """Recent comments of the campaign's promoters (best scores first) or detractors (worst first)."""
    score_order = Response.score.desc() if promoters else Response.score.asc()
    category = Response.score >= 9 if promoters else Response.score <= 6
    rows = await session.execute(
        select(Response.id, Response.score, Response.comment, *COLUMNS)
        .join(Partner, Partner.id == Response.partner_id)
        .where(
            Response.campaign_id == campaign_id,
            Response.comment.is_not(None),
            category,
            func.length(Response.comment) >= QUOTE_MIN_CHARS,
        )
        .order_by(score_order, Response.answered_at.desc(), Response.id.desc())
        .limit(limit)
    )
    return [Quote(int(row[0]), int(row[1]), str(row[2]), PartnerRef.from_row(row[3:])) for row in rows.all()]

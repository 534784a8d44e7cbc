"""What partners wrote: themes of comments, frequent phrases, and short quotes.

Themes come from the classifier in :mod:`storage.analytics.themes` (Russian and English). It
is pure Python at roughly half a millisecond per comment, so a report classifies a bounded
sample — the latest :data:`THEME_SAMPLE` comments of the campaign — and says how many comments
the shares are based on. Classification is CPU work: callers run :func:`summarize` in a worker
thread (``asyncio.to_thread``) so the bot keeps answering, and the SQL of the rest of the
report runs meanwhile (SQLite releases the GIL while it works).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.analytics import themes
from storage.analytics.people import COLUMNS, PartnerRef
from storage.models import Partner, Response

THEME_SAMPLE = 1000
PHRASE_COUNT = 8
# Quotes should say something but stay short; longer ones are cut by the renderer anyway.
QUOTE_MIN_CHARS = 12


@dataclass(frozen=True, slots=True)
class ThemeStat:
    """One theme (an area key) and how many sampled comments touch it."""

    area: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class CommentSummary:
    """Themes and phrases of the sampled comments."""

    sampled: int
    themes: tuple[ThemeStat, ...]
    phrases: tuple[tuple[str, int], ...]


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


def summarize(texts: Sequence[str], phrase_count: int = PHRASE_COUNT) -> CommentSummary:
    """Theme counts (a comment may touch several areas) and the most frequent phrases."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(themes.classify(text)))
    total = len(texts)
    stats = tuple(
        ThemeStat(area, n, n / total) for area, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    phrases = tuple(themes.top_phrases(texts, n=phrase_count))
    return CommentSummary(total, stats, phrases)


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

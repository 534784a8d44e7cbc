"""Stored themes of comments: classify once on arrival, counts for digests, managers' tags.

The one place that writes :class:`~storage.models.ResponseTheme`. Classifying is CPU work of
well under a millisecond per comment, done when a comment arrives (:func:`store_comment_themes`)
and by ``nps-bot themes --reclassify`` (:func:`reclassify`); digests and ``/themes`` only count
what is stored (:func:`theme_counts`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import areas
from storage.analytics import themes
from storage.models import Response, ResponseTheme, utcnow
from storage.models.theme import THEME_SEPARATOR

RECLASSIFY_BATCH = 500


@dataclass(frozen=True, slots=True)
class ThemeCounts:
    """Themes of a campaign's comments: counted only when confident or tagged by a person."""

    commented: int
    areas: tuple[tuple[str, int], ...]  # (area, comments), most first
    unclassified: int  # low confidence and untagged, or not classified yet
    tagged: int


@dataclass(frozen=True, slots=True)
class PendingComment:
    """A comment waiting for a person's tag, with the classifier's guess."""

    response_id: int
    text: str
    score: int
    guess: tuple[str, ...]
    confidence: float | None


_PENDING_COLUMNS = (
    Response.id,
    Response.comment,
    Response.score,
    ResponseTheme.areas,
    ResponseTheme.confidence,
)


def _join(keys: Sequence[str]) -> str:
    return THEME_SEPARATOR.join(keys)


def _new_row(response_id: int, verdict: themes.Classification, now: datetime) -> ResponseTheme:
    return ResponseTheme(
        response_id=response_id, areas=_join(verdict.areas), confidence=verdict.confidence, classified_at=now
    )


def _pending(row: Any) -> PendingComment | None:
    if row is None:
        return None
    rid, text, score, guess, confidence = row
    keys = tuple(k for k in (guess or "").split(THEME_SEPARATOR) if k)
    return PendingComment(int(rid), str(text), int(score), keys, confidence)


async def store_comment_themes(
    session: AsyncSession, response_id: int, comment: str | None, *, wait: bool = False
) -> None:
    """Classify a new comment and store the result (None: the comment was skipped or removed).

    Called where the survey saves the comment, in the same transaction. A new text clears a
    person's earlier tag: it was about the old text. In the first seconds of a process the model
    may still be training: then nothing is stored (the comment counts as unclassified) and the
    start-up catch-up (:func:`classify_missing`) classifies it, so an update never waits for the
    training; ``wait`` (scripts, tests) trains it here instead.
    """
    row = await session.get(ResponseTheme, response_id)
    if not comment or not comment.strip() or not (wait or themes.ready()):
        if row is not None:
            await session.delete(row)
        return
    verdict = themes.analyse(comment)
    now = utcnow()
    if row is None:
        session.add(_new_row(response_id, verdict, now))
        return
    row.areas, row.confidence, row.classified_at = _join(verdict.areas), verdict.confidence, now
    row.manual = row.tagged_by = row.tagged_at = None


def theme_columns(
    auto: str | None, confidence: float | None, manual: str | None
) -> tuple[str | None, float | None]:
    """Export cells: ``manual: a;b`` for a person's tag, ``auto: a;b`` (confidence 0..1) otherwise."""
    if manual is not None:
        return f"manual: {manual}", None
    if auto is None:
        return None, None
    return f"auto: {auto}", round(confidence, 3) if confidence is not None else None


def _confident() -> ColumnElement[bool]:
    return or_(ResponseTheme.manual.is_not(None), ResponseTheme.confidence >= themes.CONFIDENT)


async def theme_counts(session: AsyncSession, campaign_id: int) -> ThemeCounts:
    """Per-area counts of a campaign's comments (one aggregate query, no classifying)."""
    shown = func.coalesce(ResponseTheme.manual, ResponseTheme.areas)
    counted = case((and_(ResponseTheme.response_id.is_not(None), _confident()), 1), else_=0)
    manual = case((ResponseTheme.manual.is_not(None), 1), else_=0)
    rows = await session.execute(
        select(shown, counted, manual, func.count())
        .select_from(Response)
        .outerjoin(ResponseTheme, ResponseTheme.response_id == Response.id)
        .where(Response.campaign_id == campaign_id, Response.comment.is_not(None))
        .group_by(shown, counted, manual)
    )
    per_area: Counter[str] = Counter()
    commented = unclassified = tagged = 0
    for keys, is_counted, is_manual, n in rows.all():
        commented += n
        tagged += n if is_manual else 0
        if not is_counted or keys is None:
            unclassified += n
            continue
        for key in set(str(keys).split(THEME_SEPARATOR)) - {""}:
            per_area[key] += n
    ordered = tuple(sorted(per_area.items(), key=lambda kv: (-kv[1], kv[0])))
    return ThemeCounts(commented, ordered, unclassified, tagged)


def _pending_filter(campaign_id: int) -> list[ColumnElement[bool]]:
    # "other" too: a comment about nothing known may be about something the classifier never saw
    unsure = or_(ResponseTheme.confidence < themes.CONFIDENT, ResponseTheme.areas == areas.OTHER)
    untagged_unsure = and_(ResponseTheme.manual.is_(None), unsure)
    return [
        Response.campaign_id == campaign_id,
        Response.comment.is_not(None),
        or_(ResponseTheme.response_id.is_(None), untagged_unsure),
    ]


async def pending_count(session: AsyncSession, campaign_id: int) -> int:
    """How many comments of the campaign wait for a person (low confidence or "other", untagged)."""
    total = await session.scalar(
        select(func.count())
        .select_from(Response)
        .outerjoin(ResponseTheme, ResponseTheme.response_id == Response.id)
        .where(*_pending_filter(campaign_id))
    )
    return int(total or 0)


async def pending_at(session: AsyncSession, campaign_id: int, offset: int) -> PendingComment | None:
    """The ``offset``-th waiting comment (newest first), None past the end."""
    row = (
        await session.execute(
            select(*_PENDING_COLUMNS)
            .outerjoin(ResponseTheme, ResponseTheme.response_id == Response.id)
            .where(*_pending_filter(campaign_id))
            .order_by(Response.id.desc())
            .offset(offset)
            .limit(1)
        )
    ).first()
    return _pending(row)


async def comment_for_tagging(session: AsyncSession, response_id: int) -> PendingComment | None:
    """A commented response by id (callback ids are only claims), None when gone or uncommented."""
    row = (
        await session.execute(
            select(*_PENDING_COLUMNS)
            .outerjoin(ResponseTheme, ResponseTheme.response_id == Response.id)
            .where(Response.id == response_id, Response.comment.is_not(None))
        )
    ).first()
    return _pending(row)


async def tag_comment(
    session: AsyncSession,
    comment: PendingComment,
    chosen: Sequence[str],
    user_id: int,
    now: datetime | None = None,
) -> list[str]:
    """Store a person's areas for a comment (who and when) and teach this process's classifier.

    Unknown keys are refused (ValueError); ``other`` alone means "nothing specific". The caller
    commits; the classifier learns at once (the tag is already decided, a failed commit only
    means the manager sees an error and taps Done again).
    """
    active = areas.active()
    keys = [a for a in active if a in set(chosen)]
    if not keys or len(keys) != len(set(chosen)):
        raise ValueError(f"unknown or no areas: {chosen!r}")
    if len(keys) > 1 and areas.OTHER in keys:
        keys.remove(areas.OTHER)
    moment = now or utcnow()
    row = await session.get(ResponseTheme, comment.response_id)
    if row is None:
        row = _new_row(comment.response_id, themes.analyse(comment.text), moment)
        session.add(row)
    row.manual, row.tagged_by, row.tagged_at = _join(keys), user_id, moment
    themes.memory().tag(comment.response_id, comment.text, keys)
    return keys


async def stored_tags(session: AsyncSession) -> list[tuple[int, str, list[str]]]:
    """Every person's tag with its comment: ``(response id, text, areas)``."""
    rows = await session.execute(
        select(ResponseTheme.response_id, Response.comment, ResponseTheme.manual)
        .join(Response, Response.id == ResponseTheme.response_id)
        .where(ResponseTheme.manual.is_not(None), Response.comment.is_not(None))
        .order_by(ResponseTheme.response_id)
    )
    return [(int(rid), str(text), str(manual).split(THEME_SEPARATOR)) for rid, text, manual in rows.all()]


async def tags_version(session: AsyncSession) -> tuple[int, datetime | None]:
    """(number of tags, latest tag time): changes whenever a tag is added or changed."""
    row = (
        await session.execute(
            select(func.count(), func.max(ResponseTheme.tagged_at)).where(ResponseTheme.manual.is_not(None))
        )
    ).one()
    return int(row[0]), row[1]


async def load_tags(session: AsyncSession) -> int:
    """Teach this process's classifier every stored tag (the learning runs in a worker thread:
    it is CPU work proportional to the number of tags); returns how many."""
    tags = await stored_tags(session)
    await asyncio.to_thread(lambda: themes.memory().replace(tags))
    return len(tags)


async def classify_missing(session: AsyncSession, since: datetime, *, limit: int = 10_000) -> int:
    """Classify comments changed since ``since`` that have no stored themes (those that arrived
    while the model was training); commits, returns how many. Older gaps: ``--reclassify``."""
    rows = (
        await session.execute(
            select(Response.id, Response.comment)
            .outerjoin(ResponseTheme, ResponseTheme.response_id == Response.id)
            .where(
                ResponseTheme.response_id.is_(None),
                Response.comment.is_not(None),
                Response.updated_at >= since,
            )
            .order_by(Response.id)
            .limit(limit)
        )
    ).all()
    now = utcnow()
    for rid, text in rows:
        session.add(_new_row(rid, themes.analyse(text or ""), now))
    await session.commit()
    return len(rows)


async def reclassify(session: AsyncSession, *, batch: int = RECLASSIFY_BATCH) -> int:
    """Classify every stored comment again (after a model or areas change), batch by batch;
    a person's tag is kept and still wins. Commits each batch; returns the comments done."""
    done, after = 0, 0
    while True:
        rows = (
            await session.execute(
                select(Response.id, Response.comment)
                .where(Response.id > after, Response.comment.is_not(None))
                .order_by(Response.id)
                .limit(batch)
            )
        ).all()
        if not rows:
            return done
        stored = {
            row.response_id: row
            for row in await session.scalars(
                select(ResponseTheme).where(ResponseTheme.response_id.in_([r[0] for r in rows]))
            )
        }
        now = utcnow()
        for rid, text in rows:
            verdict = themes.analyse(text or "")
            row = stored.get(rid)
            if row is None:
                session.add(_new_row(rid, verdict, now))
            else:
                row.areas, row.confidence, row.classified_at = _join(verdict.areas), verdict.confidence, now
        await session.commit()
        done += len(rows)
        after = rows[-1][0]

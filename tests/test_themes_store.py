"""Stored themes: classified on arrival, counted without classifying, reclassified with tags kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli_themes import themes_command
from bot.config import Settings
from bot.digest.text import themes_block
from bot.i18n import Translator
from storage.analytics import themes
from storage.analytics.comments import CommentSummary, summarize
from storage.export import export_rows
from storage.models import ResponseTheme
from storage.models import campaign as c
from storage.repo import themes as stored
from tests.helpers import add_campaign, add_partner, add_response

pytestmark = pytest.mark.asyncio
AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TOKEN = "123456:TEST-token"
COMMENTS = ["выплаты задерживают", "саппорт молчит, и выплаты долго", "ну такое", "payouts are late"]


@pytest.fixture(autouse=True)
def _fresh_memory() -> None:
    themes.memory().replace([])


async def _fill(session: AsyncSession) -> tuple[int, list[int]]:
    campaign = await add_campaign(session, "Осень", kind=c.QUARTERLY, launched_at=AT)
    ids = []
    for i, text in enumerate(COMMENTS):
        partner = await add_partner(session, name=f"P{i}", telegram_id=70_000 + i, external_id=f"E{i}")
        ids.append((await add_response(session, campaign, partner, 5, comment=text, answered_at=AT)).id)
    partner = await add_partner(session, name="silent", telegram_id=70_100, external_id="S")
    await add_response(session, campaign, partner, 9, answered_at=AT)  # no comment: no themes row
    return campaign.id, ids


async def test_counts_come_from_stored_rows_and_tags_win(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as s:
        cid, ids = await _fill(s)
        await s.commit()
        counts = await stored.theme_counts(s, cid)
        assert (
            counts.commented == 4
            and dict(counts.areas)["payouts"] == 3
            and dict(counts.areas)["support"] == 1
        )
        # A low-confidence verdict is "unclassified" until a person tags it.
        await s.execute(
            update(ResponseTheme).where(ResponseTheme.response_id == ids[3]).values(confidence=0.3)
        )
        counts = await stored.theme_counts(s, cid)
        assert dict(counts.areas)["payouts"] == 2 and counts.unclassified == 1
        comment = await stored.comment_for_tagging(s, ids[3])
        assert comment is not None
        assert await stored.tag_comment(s, comment, ["commission", "other"], 42, now=AT) == ["commission"]
        await s.commit()
        counts = await stored.theme_counts(s, cid)
    assert counts.unclassified == 0 and counts.tagged == 1 and dict(counts.areas)["commission"] == 1
    summary = summarize(counts, COMMENTS)
    text = themes_block_text(summary)
    assert "4 комментария" in text and "Скорость выплат — 50" in text


def themes_block_text(summary: CommentSummary) -> str:
    class _Report:
        comments = summary

    return themes_block(_Report(), Translator().bind("ru"), "ru")  # type: ignore[arg-type]


async def test_unclassified_number_is_shown_in_the_digest(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as s:
        cid, _ = await _fill(s)
        await s.execute(update(ResponseTheme).values(confidence=0.1))
        counts = await stored.theme_counts(s, cid)
    assert counts.areas == () and counts.unclassified == 4
    assert "не распознано: 4" in themes_block_text(summarize(counts, COMMENTS))


async def test_unknown_areas_are_refused_and_nothing_is_stored(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as s:
        _, ids = await _fill(s)
        comment = await stored.comment_for_tagging(s, ids[0])
        assert comment is not None
        for bad in ([], ["nonsense"], ["payouts", "nonsense"]):
            with pytest.raises(ValueError):
                await stored.tag_comment(s, comment, bad, 42)
        assert (await s.get(ResponseTheme, ids[0])).manual is None  # type: ignore[union-attr]


async def test_new_comment_text_is_classified_again_and_clears_the_tag(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as s:
        _, ids = await _fill(s)
        comment = await stored.comment_for_tagging(s, ids[2])
        assert comment is not None
        await stored.tag_comment(s, comment, ["training"], 42)
        await stored.store_comment_themes(s, ids[2], "креосы выгорают")
        row = await s.get(ResponseTheme, ids[2])
        assert row is not None and row.manual is None and row.auto_areas() == ["marketing"]
        await stored.store_comment_themes(s, ids[2], None)  # skipped on a re-answer
        await s.flush()
        assert await s.get(ResponseTheme, ids[2]) is None


async def test_reclassify_command_keeps_tags_and_fills_missing_rows(
    db: async_sessionmaker[AsyncSession], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with db() as s:
        cid, ids = await _fill(s)
        comment = await stored.comment_for_tagging(s, ids[2])
        assert comment is not None
        await stored.tag_comment(s, comment, ["training"], 42)
        # an old row from a previous model, and one comment stored before themes existed
        await s.execute(
            update(ResponseTheme).where(ResponseTheme.response_id == ids[0]).values(areas="portal")
        )
        await s.delete(await s.get(ResponseTheme, ids[1]))
        await s.commit()
    settings = Settings(_env_file=None, bot_token=TOKEN, database_url=db_url)  # type: ignore[call-arg,arg-type]
    assert await themes_command(settings, reclassify=True) == 0
    assert "reclassified 4 comments" in capsys.readouterr().out
    assert await themes_command(settings, reclassify=False) == 2
    async with db() as s:
        rows = {r.response_id: r for r in await s.scalars(select(ResponseTheme))}
        exported = [row async for row in export_rows(s, cid)]
    assert rows[ids[0]].auto_areas() == ["payouts"]
    assert rows[ids[1]].auto_areas()[:1] in (["support"], ["payouts"]) and len(rows) == 4
    assert rows[ids[2]].manual_areas() == ["training"]  # the person's tag wins and is kept
    cells = {r[9]: r[12:14] for r in exported}
    assert cells["ну такое"] == ("manual: training", None)
    assert cells["выплаты задерживают"][0] == "auto: payouts" and 0.5 <= cells["выплаты задерживают"][1] <= 1
    assert cells[None] == (None, None)  # no comment, no themes


async def test_comments_that_arrived_while_the_model_trained_are_caught_up(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as s:
        _, ids = await _fill(s)
        await s.execute(delete(ResponseTheme).where(ResponseTheme.response_id.in_(ids[:2])))
        await s.commit()
        assert await stored.classify_missing(s, AT) == 2
        assert await stored.classify_missing(s, AT) == 0
        row = await s.get(ResponseTheme, ids[0])
    assert row is not None and row.auto_areas() == ["payouts"]


async def test_tags_version_changes_with_every_tag(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as s:
        _, ids = await _fill(s)
        assert await stored.tags_version(s) == (0, None)
        comment = await stored.comment_for_tagging(s, ids[1])
        assert comment is not None
        await stored.tag_comment(s, comment, ["support"], 42, now=AT)
        await s.flush()
        assert await stored.tags_version(s) == (1, AT)
        assert await stored.load_tags(s) == 1
        assert themes.memory().learned_words() == {}  # one comment teaches no word yet

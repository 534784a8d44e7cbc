"""Digest text and chart: Telegram's limits, valid HTML, themes, privacy, a real PNG."""

from __future__ import annotations

import random
import re
import struct
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.digest.build import DigestOptions, campaign_digest, weekly_digest
from bot.digest.split import TELEGRAM_LIMIT, pack, split_html
from bot.i18n import Translator
from storage.models import campaign as c
from tests.fakebot.html_check import parse_html
from tests.helpers import add_campaign, add_partner, add_response, invite

LAUNCH = datetime(2026, 9, 1, 9, tzinfo=UTC)
MSK = ZoneInfo("Europe/Moscow")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

COMMENTS = [
    "Выплаты задерживают, <b>ждём</b> по две недели & больше",
    "Payouts are late again",
    "Поддержка отвечает быстро, спасибо",
    "Комиссия низкая по сравнению с конкурентами",
    "Личный кабинет тормозит, статистика обновляется долго",
    "Great support team",
]


async def _program(session: AsyncSession, answers: int = 60, segments: int = 30) -> int:
    """Two rounds; many segments (several below the minimum), long and hostile comments."""
    rnd = random.Random(7)
    prev = await add_campaign(
        session, "Весна 2026", kind=c.QUARTERLY, status=c.CLOSED, launched_at=LAUNCH - timedelta(days=91)
    )
    cur = await add_campaign(
        session, "Осень 2026 — большой квартальный опрос партнеров", kind=c.QUARTERLY, launched_at=LAUNCH
    )
    for i in range(answers):
        partner = await add_partner(
            session,
            name=f"Партнёр <{i}> & Co",
            username=f"p{i}",
            telegram_id=70_000 + i,
            segment=f"seg-{i % segments}",
            tier=("gold", "silver")[i % 2],
            monthly_revenue=1000 + i,
        )
        await invite(session, cur, partner)
        await add_response(
            session, prev, partner, rnd.randint(0, 10), answered_at=LAUNCH - timedelta(days=90)
        )
        comment = COMMENTS[i % len(COMMENTS)] + " " + "очень длинный текст " * (30 if i % 7 == 0 else 0)
        await add_response(
            session,
            cur,
            partner,
            rnd.randint(0, 10),
            comment=comment,
            drivers=["payouts", "support"][: 1 + i % 2],
            answered_at=LAUNCH + timedelta(hours=i),
        )
    return cur.id


def _assert_telegram_valid(parts: list[str]) -> None:
    for part in parts:
        assert 0 < len(part) <= TELEGRAM_LIMIT
        visible, _entities = parse_html(part)  # raises on broken markup or unescaped < > &
        assert visible.strip()


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_campaign_digest_text_and_chart(db: async_sessionmaker[AsyncSession], locale: str) -> None:
    async with db() as session:
        campaign_id = await _program(session)
        await session.commit()
    options = DigestOptions(locale, MSK, min_group_size=5, anonymous=False)
    digest = await campaign_digest(db, Translator("ru"), options, campaign_id, full=True)
    assert digest is not None
    _assert_telegram_valid(digest.parts)
    text = "\n".join(parse_html(p)[0] for p in digest.parts)
    # Themes come from the classifier: payouts and support comments are recognised.
    assert ("Скорость выплат" if locale == "ru" else "Payout speed") in text
    # 30 segments of 2 answers each: every one is below 5, so none is shown by name.
    assert "seg-1 " not in text and "seg-" not in text
    # User text is escaped (the parser above would fail otherwise) and long quotes are cut.
    assert all(len(line) < 400 for line in text.splitlines())
    # The chart is a PNG, 1080 px wide, and not a blank canvas.
    chart = digest.chart
    assert chart is not None and chart.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", chart[16:24])
    assert (width, height) == (1080, 1200)
    assert len(chart) > 20_000


async def test_anonymous_digest_hides_names(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        campaign_id = await _program(session, answers=12, segments=2)
        await session.commit()
    named = await campaign_digest(db, Translator(), DigestOptions("ru", MSK, 5, anonymous=False), campaign_id)
    anonymous = await campaign_digest(
        db, Translator(), DigestOptions("ru", MSK, 5, anonymous=True), campaign_id
    )
    assert named is not None and anonymous is not None
    assert "Партнёр" in "".join(named.parts)
    assert "Партнёр" not in "".join(anonymous.parts) and "@p" not in "".join(anonymous.parts)


async def test_weekly_digest_quiet_week_is_one_line(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        await _program(session, answers=10, segments=2)
        await session.commit()
    options = DigestOptions("en", MSK)
    quiet = await weekly_digest(db, Translator(), options, now=LAUNCH + timedelta(days=60))
    assert quiet.empty and quiet.chart is None
    assert len(quiet.parts) == 1 and "\n" not in quiet.parts[0]
    assert "No new answers this week" in quiet.parts[0]
    busy = await weekly_digest(db, Translator(), options, now=LAUNCH + timedelta(days=3))
    assert not busy.empty and busy.chart is not None
    assert "This week: 10 new answers." in busy.parts[0]


async def test_weekly_digest_with_no_data_at_all(db: async_sessionmaker[AsyncSession]) -> None:
    digest = await weekly_digest(db, Translator(), DigestOptions("ru", MSK), now=LAUNCH)
    assert digest.empty and digest.parts == ["📊 За неделю новых ответов нет, и пока не о чем докладывать."]


def test_split_never_cuts_inside_a_tag_and_keeps_every_word() -> None:
    rnd = random.Random(3)
    words = []
    for _ in range(4000):
        r = rnd.random()
        if r < 0.05:
            words.append("<b>" + "жирный " * rnd.randint(1, 5) + "</b>")
        elif r < 0.08:
            words.append('<a href="https://example.com/x">ссылка &amp; текст</a>')
        elif r < 0.1:
            words.append("\n\n")
        else:
            words.append("слово")
    text = " ".join(words)
    parts = split_html(text, 500)
    assert len(parts) > 10
    for part in parts:
        assert len(part) <= 500
        parse_html(part)  # balanced tags, no cut entity
    strip = re.compile(r"<[^>]*>|\s")
    assert strip.sub("", "".join(parts)) == strip.sub("", text)


def test_pack_keeps_blocks_whole_when_they_fit() -> None:
    blocks = ["a" * 3000, "b" * 2000, "c" * 100]
    assert pack(blocks) == ["a" * 3000, "b" * 2000 + "\n\n" + "c" * 100]


def test_digest_jobs_follow_the_settings() -> None:
    from bot.config import Settings
    from scheduler.digest_jobs import ALERTS_JOB, WEEKLY_DIGEST_JOB, digest_job_specs
    from tests.helpers import MANAGER_CHAT_ID, TOKEN

    def specs(**kw: object) -> dict[str, object]:
        settings = Settings(_env_file=None, bot_token=TOKEN, timezone="Europe/Moscow", **kw)  # type: ignore[call-arg,arg-type]
        return {s.id: s.trigger for s in digest_job_specs(settings)}

    on = specs(manager_chat_id=MANAGER_CHAT_ID)
    assert set(on) == {WEEKLY_DIGEST_JOB, ALERTS_JOB}
    # "0 9 * * mon" in TIMEZONE: Monday 09:00 Moscow is 06:00 UTC.
    fire = on[WEEKLY_DIGEST_JOB].get_next_fire_time(None, datetime(2026, 11, 18, tzinfo=UTC))  # type: ignore[attr-defined]
    assert fire.astimezone(UTC) == datetime(2026, 11, 23, 6, tzinfo=UTC)
    assert set(specs(manager_chat_id=MANAGER_CHAT_ID, weekly_digest=False)) == {ALERTS_JOB}
    assert specs() == {}  # no managers' chat: nothing to send anywhere

"""Remembered values (``bot_state``) and digests held for the managers' chat (``held_posts``)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.models import BotState, HeldPost, utcnow

MANAGERS_CHAT = "managers_chat_id"  # the id Telegram moved the managers' chat to
MANAGERS_AWAY = "managers_chat_away"  # the chat id the bot was removed from


async def get(session: AsyncSession, key: str) -> str | None:
    """The value under ``key``, or None."""
    row = await session.get(BotState, key)
    return None if row is None else row.value


async def put(session: AsyncSession, key: str, value: str) -> None:
    """Set ``key`` (insert or replace), in the caller's transaction."""
    stmt = upsert.insert(session, BotState).values(key=key, value=value, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=[BotState.key],
        set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
    )
    await session.execute(stmt)


async def drop(session: AsyncSession, key: str) -> None:
    """Forget ``key``."""
    await session.execute(delete(BotState).where(BotState.key == key))


@dataclass(frozen=True)
class Held:
    """A held digest: its text parts in order and its chart."""

    id: int
    kind: str
    parts: list[str]
    chart: bytes | None


async def hold(session: AsyncSession, kind: str, parts: list[str], chart: bytes | None) -> int:
    """Keep a post for later; returns its id."""
    row = HeldPost(kind=kind, parts=orjson.dumps(parts).decode(), chart=chart)
    session.add(row)
    await session.flush()
    return row.id


async def held(session: AsyncSession) -> list[Held]:
    """Held posts, oldest first."""
    rows = await session.scalars(select(HeldPost).order_by(HeldPost.id))
    return [Held(r.id, r.kind, list(orjson.loads(r.parts)), r.chart) for r in rows]


async def rewrite_held(session: AsyncSession, post_id: int, parts: list[str]) -> None:
    """Replace a held post's parts (an erasure took a partner out of them); the caller commits."""
    text = orjson.dumps(parts).decode()
    await session.execute(update(HeldPost).where(HeldPost.id == post_id).values(parts=text))


async def release(session: AsyncSession, post_id: int) -> bool:
    """Delete a held post once it is posted; False when another process took it first."""
    result = await session.execute(delete(HeldPost).where(HeldPost.id == post_id))
    return bool(getattr(result, "rowcount", 0))

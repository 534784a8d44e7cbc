"""Where the bot showed a partner's name or words (storage.models.partner_post)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PartnerPost


async def remember(
    session: AsyncSession, partner_ids: Iterable[int], chat_id: int, message_ids: Iterable[int]
) -> None:
    """Record that each message shows each of the partners (the caller commits)."""
    partners = sorted(set(partner_ids))  # read once: a generator would be spent after one message
    for message_id in message_ids:
        for partner_id in partners:
            session.add(PartnerPost(partner_id=partner_id, chat_id=chat_id, message_id=message_id))
    await session.flush()


async def of_partner(session: AsyncSession, partner_id: int) -> list[tuple[int, int]]:
    """(chat, message) of every message showing the partner, oldest first, each once."""
    rows = await session.execute(
        select(PartnerPost.chat_id, PartnerPost.message_id)
        .where(PartnerPost.partner_id == partner_id)
        .group_by(PartnerPost.chat_id, PartnerPost.message_id)
        .order_by(PartnerPost.chat_id, PartnerPost.message_id)
    )
    return [(int(chat), int(message)) for chat, message in rows.all()]


async def forget(session: AsyncSession, partner_id: int) -> None:
    """The partner's rows (after erasure: their messages are being rewritten)."""
    await session.execute(delete(PartnerPost).where(PartnerPost.partner_id == partner_id))


async def move_chat(session: AsyncSession, old: int, new: int) -> None:
    """The group became supergroup ``new``; Telegram keeps the message ids."""
    await session.execute(update(PartnerPost).where(PartnerPost.chat_id == old).values(chat_id=new))

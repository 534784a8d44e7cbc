"""Personal data outside the partner's own rows: the update journal and FSM keys.

Erasure (``/forget_me``) removes, besides what :func:`storage.repo.partners.erase` clears:
- every journal row whose raw update mentions the partner's Telegram id (as sender or chat);
- every journal row holding a reply to the partner that waits for its send slot, and every
  handled row whose held reply quotes them (bot/held_replies.py);
- every handled journal row whose raw update quotes the partner's name, username, comments or
  alert conversation: a manager's update carries them too (the alert text under a pressed
  button, the reply typed for the partner). Handled payloads are emptied when they are marked
  (storage.repo.inbox), so this catches rows of the last day written before that rule;
- every FSM key of theirs.
The journal's handled rows are deleted after :data:`JOURNAL_RETENTION` by the worker's
maintenance job, so it no longer grows without bound; a row is only needed until then, to
recognise a late redelivery of the same update.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Alert, AlertMessage, FsmRecord, InboxUpdate, Partner, Response
from storage.unit_of_work import UnitOfWork

JOURNAL_RETENTION = timedelta(hours=24)
_CHUNK = 500
_MIN_QUOTE = 4  # shorter strings would match unrelated updates (harmless, but pointless)


def mentions(value: Any, telegram_id: int) -> bool:
    """Whether a raw update holds a user or chat object with this id (anywhere inside)."""
    if isinstance(value, dict):
        if value.get("id") == telegram_id:
            return True
        return any(mentions(v, telegram_id) for v in value.values())
    if isinstance(value, list):
        return any(mentions(v, telegram_id) for v in value)
    return False


def _addressed(reply: str, telegram_id: int) -> bool:
    """Whether a held reply (bot/held_replies.py) goes to this user's chat."""
    try:
        return bool(orjson.loads(reply).get("params", {}).get("chat_id") == telegram_id)
    except (orjson.JSONDecodeError, AttributeError):
        return False


async def forget_journal(session: AsyncSession, telegram_id: int) -> int:
    """Delete the journal rows of updates that mention ``telegram_id``; returns how many."""
    # LIKE narrows the rows to parse; the JSON walk decides (the digits may be part of a bigger
    # number or of a text).
    digits = f"%{telegram_id}%"
    rows = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload, InboxUpdate.reply).where(
            or_(InboxUpdate.payload.like(digits), InboxUpdate.reply.like(digits))
        )
    )
    ids = [
        uid
        for uid, payload, reply in rows.all()
        if (payload and mentions(orjson.loads(payload), telegram_id))
        or (reply and _addressed(reply, telegram_id))
    ]
    for i in range(0, len(ids), _CHUNK):
        await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(ids[i : i + _CHUNK])))
    return len(ids)


async def personal_strings(session: AsyncSession, partner: Partner) -> list[str]:
    """Name, username, comments and alert conversation texts of a partner (before erasure)."""
    comments = await session.scalars(
        select(Response.comment).where(Response.partner_id == partner.id, Response.comment.is_not(None))
    )
    relayed = await session.scalars(
        select(AlertMessage.text)
        .join(Alert, Alert.id == AlertMessage.alert_id)
        .join(Response, Response.id == Alert.response_id)
        .where(Response.partner_id == partner.id, AlertMessage.text.is_not(None))
    )
    found = [partner.name, partner.username, *comments.all(), *relayed.all()]
    return sorted({s for s in found if s and len(s) >= _MIN_QUOTE})


def _like_json(text: str) -> str:
    """A LIKE pattern finding ``text`` inside a JSON document (escaped as orjson writes it)."""
    inner = orjson.dumps(text).decode()[1:-1]
    return "%" + inner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def forget_quotes(session: AsyncSession, quotes: list[str]) -> int:
    """Delete handled journal rows whose raw update contains any of ``quotes``."""
    deleted = 0
    for i in range(0, len(quotes), 20):
        conditions = [
            column.like(_like_json(q), escape="\\")
            for q in quotes[i : i + 20]
            for column in (InboxUpdate.payload, InboxUpdate.reply)
        ]
        result = await session.execute(
            delete(InboxUpdate).where(InboxUpdate.processed_at.is_not(None), or_(*conditions))
        )
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


async def forget_fsm(session: AsyncSession, telegram_id: int, uow: UnitOfWork | None = None) -> int:
    """Delete every FSM key of this user (``fsm:<chat>:<user>:...``, private chat or group);
    ``uow``: the update erasing, whose transaction ``session`` is, so that an FSM change of theirs
    it holds unwritten (the partner's own /forget_me) is dropped, not written back by its commit."""
    wanted = str(telegram_id)

    def theirs(key: str) -> bool:
        return wanted in key.split(":")[1:]

    if uow is not None:
        uow.forget_fsm(theirs)
    keys = (await session.scalars(select(FsmRecord.key).where(FsmRecord.key.like(f"%:{wanted}%")))).all()
    mine = [k for k in keys if theirs(k)]
    if mine:
        await session.execute(delete(FsmRecord).where(FsmRecord.key.in_(mine)))
    return len(mine)


async def forget_traces(
    session: AsyncSession, telegram_id: int | None, quotes: list[str], uow: UnitOfWork | None = None
) -> None:
    """Journal rows and FSM keys of a partner being erased (in the caller's transaction, that of
    ``uow`` when an update erases: :func:`forget_fsm`); ``quotes`` from :func:`personal_strings`,
    taken before the partner's rows were cleared."""
    if telegram_id is not None:
        await forget_journal(session, telegram_id)
        await forget_fsm(session, telegram_id, uow)
    await forget_quotes(session, quotes)


async def prune_journal(
    session: AsyncSession, now: datetime, retention: timedelta = JOURNAL_RETENTION
) -> int:
    """Delete journal rows handled more than ``retention`` ago; returns how many."""
    result = await session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.processed_at.is_not(None), InboxUpdate.processed_at < now - retention
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)

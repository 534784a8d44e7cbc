"""Replies that wait for a send slot are kept in the journal until they are out.

Under a burst a reply can wait many seconds in the bot's send budget (bot/send_budget.py) after
its update was marked handled and its answer stored. Were the process killed in that wait, the
partner would never get the next question. So a reply that has to wait longer than
``HOLD_AFTER`` is written, as the Bot API call it is, on its update's journal row
(``inbox_updates.reply``) before the wait, and cleared once it went out or Telegram refused it.
A row still holding a reply belongs to a process that died: the single process sends it at
start-up (bot/polling.py), a webhook replica once the dead replica's lease ran out
(bot/roles/web.py).

A reply that holds a file upload cannot be written down and is not held (those are exports
and reports for admins, never a reply under a burst).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.message_methods import MESSAGE_METHODS
from storage.repo import inbox
from storage.unit_of_work import OwedReply, UnitOfWork

log = logging.getLogger(__name__)

HOLD_AFTER = 0.25  # seconds: a shorter wait is not worth an extra statement and commit
_BY_NAME: dict[str, type[TelegramMethod[Any]]] = {cls.__api_method__: cls for cls in MESSAGE_METHODS}


class _NotWritable(Exception):
    """The call holds something that cannot be written down (a file to upload)."""


def _plain(value: Any) -> Any:
    """``value`` without aiogram's ``Default`` placeholders (the bot's defaults apply again when
    the call is rebuilt); files cannot be written down."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and not isinstance(v, Default)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, InputFile):
        raise _NotWritable
    return value


def write(method: TelegramMethod[Any]) -> str | None:
    """The call as JSON, or None when it cannot be held (not a message call, or a file)."""
    name = getattr(type(method), "__api_method__", None)
    if name not in _BY_NAME:
        return None
    try:
        params = _plain(method.model_dump(exclude_none=True))
        return orjson.dumps({"method": name, "params": params}).decode()
    except (_NotWritable, TypeError):
        return None


def read(text: str) -> TelegramMethod[Any] | None:
    """The call :func:`write` wrote, or None when the text is not one."""
    try:
        data = orjson.loads(text)
        cls = _BY_NAME[data["method"]]
        return cls.model_validate(data["params"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def expect(uow: UnitOfWork, method: TelegramMethod[Any]) -> bool:
    """Declare the reply this update owes (the survey's next question, or a reply about to
    wait for its slot): the next ``uow.commit()`` writes it on the update's journal row (the
    mark's, if that is the first), so a process killed while answering the button, editing the
    question or waiting for a slot still leaves it to be sent. False when nothing was declared:
    not a journaled update, a reply already owed, or a call that cannot be written down."""
    if uow.update_id is None or uow.owed is not None:
        return False
    text = write(method)
    if text is None:
        return False
    uow.owed = OwedReply(method, text)
    return True


def sent(uow: UnitOfWork, method: TelegramMethod[Any]) -> None:
    """``method`` went out or was refused: if it is the owed reply, the next commit clears it.

    Not a statement now: that would open a write transaction (SQLite's lock, a pooled
    connection) and keep it across the rest of the handler's awaits."""
    if uow.owed is not None and uow.owed.method is method:
        uow.owed.sent = True


async def send_held(
    bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], rows: Sequence[tuple[int, str]]
) -> int:
    """Send replies a dead process held, each released once sent or refused; returns how many
    went out. A network failure keeps the reply for the next attempt."""
    sent = 0
    for update_id, text in rows:
        method = read(text)
        if method is None:
            log.warning("Held reply of update %s unreadable; dropped", update_id)
        else:
            try:
                await bot(method)
                sent += 1
            except TelegramAPIError as exc:  # refused (blocked, chat gone): nothing to resend
                log.warning("Held reply of update %s refused: %s", update_id, type(exc).__name__)
            except Exception:
                log.warning("Held reply of update %s not sent yet; kept", update_id, exc_info=True)
                continue
        async with sessionmaker() as session:
            await inbox.release_reply(session, update_id)
            await session.commit()
    if sent:
        log.info("Sent %d reply(ies) held by a process that stopped", sent)
    return sent

"""Replies held on the journal while they wait for a send slot (bot/held_replies.py): written
and read back unchanged, owned with the replica's lease, taken over once it runs out, erased
with the partner."""

from __future__ import annotations

from datetime import timedelta

from aiogram import methods
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import held_replies
from storage.models import InboxUpdate, utcnow
from storage.repo import inbox, inbox_claims, privacy

PARTNER = 6_123_456_789  # past 2**32, as real ids are
TEXT = 'Спасибо! <b>Что</b> & "ещё"? 👍 ' + "я" * 3000


def _question() -> methods.SendMessage:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Пропустить", callback_data="skip:123")]]
    )
    return methods.SendMessage(chat_id=PARTNER, text=TEXT, reply_markup=keyboard)


def test_a_reply_reads_back_as_the_same_call_with_the_bots_defaults_left_to_the_bot() -> None:
    written = held_replies.write(_question())
    assert written is not None
    back = held_replies.read(written)
    assert isinstance(back, methods.SendMessage)
    assert (back.chat_id, back.text) == (PARTNER, TEXT)
    assert back.reply_markup == _question().reply_markup
    assert type(back.parse_mode).__name__ == "Default"  # resolved by the bot at send time
    copy = held_replies.read(
        held_replies.write(methods.CopyMessage(chat_id=1, from_chat_id=-100, message_id=7)) or ""
    )
    assert isinstance(copy, methods.CopyMessage) and copy.message_id == 7


def test_uploads_and_non_message_calls_are_not_held_and_garbage_is_not_read() -> None:
    upload = methods.SendDocument(chat_id=1, document=BufferedInputFile(b"x", filename="a.csv"))
    assert held_replies.write(upload) is None
    assert held_replies.write(methods.EditMessageText(chat_id=1, message_id=2, text="x")) is None
    assert held_replies.read("not json") is None
    assert held_replies.read('{"method": "deleteMessage", "params": {}}') is None
    assert held_replies.read('{"method": "sendMessage", "params": {"text": 5}}') is None


async def _journal(db: async_sessionmaker[AsyncSession], uid: int, owner: str, lease: timedelta) -> None:
    async with db() as s:
        claim = inbox.Claim(owner, utcnow() + lease, lambda _raw: PARTNER)
        await inbox.journal(s, [{"update_id": uid, "message": {"text": "10"}}], claim)
        await inbox.mark_processed(s, uid)
        await inbox.hold_reply(s, uid, held_replies.write(_question()) or "")
        await s.commit()


async def test_held_replies_of_a_dead_replica_are_taken_once_and_a_live_ones_are_kept(
    db: async_sessionmaker[AsyncSession],
) -> None:
    await _journal(db, 1, "dead", timedelta(seconds=-1))
    await _journal(db, 2, "alive", timedelta(seconds=15))
    now = utcnow()
    async with db() as s:
        # The live replica's sweep renews its held row even though the update is handled.
        assert await inbox_claims.renew(s, "alive", now + timedelta(seconds=15)) == 1
    async with db() as s:
        taken = await inbox_claims.take_held(s, "me", now + timedelta(seconds=15), now)
    assert [uid for uid, _ in taken] == [1]
    assert isinstance(held_replies.read(taken[0][1]), methods.SendMessage)
    async with db() as s:
        assert await inbox_claims.take_held(s, "other", now + timedelta(seconds=15), now) == []
        # Sent: released. A single process at start-up sees only what is still held.
        await inbox.release_reply(s, 1)
        await s.commit()
        assert [uid for uid, _ in await inbox.held_replies(s)] == [2]
        assert await inbox.last_held(s) == 2
        assert await inbox.held_replies(s, after=2) == []


async def test_a_parked_update_drops_its_held_reply_and_erasure_removes_held_replies(
    db: async_sessionmaker[AsyncSession],
) -> None:
    await _journal(db, 1, "r", timedelta(seconds=15))
    await _journal(db, 2, "r", timedelta(seconds=15))
    async with db() as s:
        await inbox.mark_processed(s, 1, error="RuntimeError: after the reply")
        await s.commit()
        assert [uid for uid, _ in await inbox.held_replies(s)] == [2]
        # The raw update of 2 was emptied when it was handled; its held reply still names the chat.
        assert await privacy.forget_journal(s, PARTNER) == 1
        await s.commit()
        assert (await s.scalars(select(InboxUpdate.update_id))).all() == [1]

"""A tap's update is parsed without the keyboard of its message: everything else stays, and the
journaled JSON is left as Telegram sent it."""

from __future__ import annotations

import copy
from pathlib import Path

from aiogram.types import Update

from bot.keyboards.survey import score_keyboard_plain
from bot.polling import _without_our_keyboard

SOURCES = Path(__file__).resolve().parents[1] / "bot"


def test_keyboard_dropped_rest_kept_and_raw_untouched() -> None:
    raw = {
        "update_id": 7,
        "callback_query": {
            "id": "q",
            "from": {"id": 5, "is_bot": False, "first_name": "P"},
            "chat_instance": "c",
            "data": "s:1:9",
            "message": {
                "message_id": 3,
                "date": 1_700_000_000,
                "chat": {"id": 5, "type": "private"},
                "text": "Q1",
                "reply_markup": score_keyboard_plain(1),
            },
        },
    }
    before = copy.deepcopy(raw)
    update = Update.model_validate(_without_our_keyboard(raw))
    assert raw == before  # the journal's copy is not touched
    cb = update.callback_query
    assert cb is not None and cb.message is not None
    assert (cb.data, cb.message.message_id, cb.message.chat.id) == ("s:1:9", 3, 5)
    assert cb.message.reply_markup is None  # type: ignore[union-attr]
    text_update = {"update_id": 8, "message": before["callback_query"]["message"]}
    assert _without_our_keyboard(text_update) is text_update  # only taps are trimmed


def test_no_handler_reads_the_keyboard_of_a_tapped_message() -> None:
    """The keyboard is not parsed (above); code reading it back would silently get None."""
    readers = [
        str(path.relative_to(SOURCES))
        for path in SOURCES.rglob("*.py")
        if "message.reply_markup" in path.read_text(encoding="utf-8")
    ]
    assert readers == []

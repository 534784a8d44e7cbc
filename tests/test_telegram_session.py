"""Request bodies: the plain-JSON fast path writes exactly what aiogram's own preparation does,
and steps aside for anything it cannot write the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import (
    AnswerCallbackQuery,
    BanChatMember,
    EditMessageText,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LinkPreviewOptions,
)

from bot.keyboards.survey import score_keyboard
from bot.telegram_session import JsonBodySession, _dump, _plain_body

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Да <b>", callback_data="c:stop:1")]]
)


def _aiogram_body(session: JsonBodySession, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
    """What aiogram's prepare_value makes of the method, as a JSON object."""
    files: dict[str, Any] = {}
    body = {}
    for key, value in method.model_dump(warnings=False).items():
        prepared = session.prepare_value(value, bot=bot, files=files, _dumps_json=False)
        if prepared is not None and prepared not in ("", [], {}):
            body[key] = prepared
    return body


@pytest.mark.parametrize(
    "method",
    [
        SendMessage(chat_id=5, text="Привет & <i>", reply_markup=KEYBOARD),
        SendMessage(chat_id=5, text="x", reply_markup=score_keyboard(3), disable_notification=False),
        EditMessageText(chat_id=5, message_id=9, text="edited", parse_mode=None),
        AnswerCallbackQuery(callback_query_id="q1", text="", show_alert=True),
    ],
)
def test_plain_body_matches_aiogram(method: TelegramMethod[Any]) -> None:
    bot = Bot("1:x", default=DefaultBotProperties(parse_mode=ParseMode.HTML, protect_content=True))
    session = JsonBodySession()
    plain = _plain_body(bot, _dump(method))
    assert plain is not None
    assert orjson.loads(plain) == orjson.loads(orjson.dumps(_aiogram_body(session, bot, method)))


@pytest.mark.parametrize(
    "method",
    [
        BanChatMember(chat_id=5, user_id=6, until_date=datetime(2026, 12, 1, tzinfo=UTC)),
        BanChatMember(chat_id=5, user_id=6, until_date=timedelta(days=1)),
        SendDocument(chat_id=5, document=BufferedInputFile(b"a,b\n", filename="x.csv")),
        SendMediaGroup(chat_id=5, media=[InputMediaPhoto(media="file-id", caption="c")]),
        SendMessage(chat_id=5, text="x", link_preview_options=LinkPreviewOptions(is_disabled=True)),
    ],
)
def test_plain_body_steps_aside_for_dates_files_and_nested_defaults(method: TelegramMethod[Any]) -> None:
    """Dates become timestamps, files go multipart, nested defaults resolve: aiogram's job."""
    bot = Bot("1:x", default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    assert _plain_body(bot, _dump(method)) is None

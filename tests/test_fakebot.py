"""Self-tests of the fake Telegram server, driven by a real ``aiogram.Bot`` over HTTP.

If the fake is wrong, every end-to-end test built on it is wrong too, so each
Telegram rule it claims to enforce is exercised here through aiogram's own
exception types.
"""

from __future__ import annotations

import asyncio
import html
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)

from tests.fakebot import FakeTelegram, SimUser

pytestmark = pytest.mark.asyncio

TOKEN = "123456:TEST-TOKEN"
CHAT = 1001
USER = {"id": CHAT, "is_bot": False, "first_name": "Анна", "language_code": "ru"}


def make_bot(srv: FakeTelegram, timeout: float = 5.0, token: str = TOKEN) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(srv.base_url), timeout=timeout)
    return Bot(token, session=session)


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in buttons]]
    )


@pytest.fixture
async def srv() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_id=123456, bot_username="partner_pulse_bot") as server:
        yield server


@pytest.fixture
async def bot(srv: FakeTelegram) -> AsyncIterator[Bot]:
    client = make_bot(srv)
    yield client
    await client.session.close()


async def test_get_me_and_auth(srv: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "partner_pulse_bot", True)
    wrong = make_bot(srv, token="123456:WRONG")
    with pytest.raises(TelegramUnauthorizedError):
        await wrong.get_me()
    await wrong.session.close()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{srv.base_url}/bot{TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        # JSON bodies and query strings work as well as aiogram's multipart.
        async with http.post(
            f"{srv.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": 5, "text": "123"}
        ) as r:
            assert (await r.json())["result"]["text"] == "123"
        async with http.get(f"{srv.base_url}/bot{TOKEN}/sendMessage?chat_id=5&text=true") as r:
            assert (await r.json())["result"]["text"] == "true"
    assert [c.method for c in srv.calls] == ["getMe", "getMe", "noSuchMethod", "sendMessage", "sendMessage"]
    assert srv.calls_for("sendMessage", chat_id=5)[0].status == 200


async def test_get_updates_offset_and_long_poll(srv: FakeTelegram, bot: Bot) -> None:
    first = srv.push_message(USER, None, "/start")
    second = srv.push_message(USER, None, "hello")
    assert (first, second) == (1, 2)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2]
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert updates[0].message.chat.type == "private" and updates[0].message.chat.id == CHAT
    # Unconfirmed updates are delivered again; offset confirms.
    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2]
    assert srv.confirmed_offset == 2
    assert await bot.get_updates(offset=3) == []

    polls = len(srv.calls_for("getUpdates"))
    poll = asyncio.create_task(bot.get_updates(offset=3, timeout=20))
    await srv.wait_until(lambda: len(srv.calls_for("getUpdates")) > polls)  # the poll is waiting
    srv.push_message(USER, None, "wake up")
    # Woken by the push: a poll left to its 20 s timeout would miss this bound (a hang guard,
    # generous enough for a loaded machine).
    woke = await asyncio.wait_for(poll, 15)
    assert [u.update_id for u in woke] == [3]
    assert srv.calls_for("getUpdates")[-1].params["timeout"] == 20

    # A redelivery re-sends the same id even though it was confirmed already.
    srv.push_raw_duplicate(3)
    assert [u.update_id for u in await bot.get_updates(offset=4)] == [3]
    assert await bot.get_updates(offset=4) == []
    # User messages share the chat's message-id sequence with the bot.
    sent = await bot.send_message(CHAT, "reply")
    assert sent.message_id == 4


async def test_second_poller_conflict_and_drop_pending(srv: FakeTelegram, bot: Bot) -> None:
    old = asyncio.create_task(bot.get_updates(timeout=3))
    await srv.wait_until(lambda: len(srv.calls_for("getUpdates")) == 1)  # the old one is waiting
    new = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError):
        await old
    assert await new == []
    srv.push_message(USER, None, "stale")
    await bot.delete_webhook(drop_pending_updates=True)
    assert srv.last_drop_pending_updates is True
    assert await bot.get_updates() == []


async def test_send_edit_and_html(srv: FakeTelegram, bot: Bot) -> None:
    markup = keyboard(("7", "s:7"), ("8", "s:8"))
    sent = await bot.send_message(CHAT, "<b>Оценка</b> &amp; отзыв", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "Оценка & отзыв"
    assert sent.entities is not None and sent.entities[0].type == "bold" and sent.entities[0].length == 6
    stored = srv.chat_messages(CHAT)
    assert stored[0]["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "s:8"

    edited = await bot.edit_message_text("Ваша оценка: 7", chat_id=CHAT, message_id=sent.message_id)
    assert edited.text == "Ваша оценка: 7"  # type: ignore[union-attr]
    assert "reply_markup" not in srv.chat_messages(CHAT)[0]  # edit without markup drops it
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Ваша оценка: 7", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=999)
    await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id, reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id, reply_markup=markup)

    reply = await bot.send_message(
        CHAT,
        html.escape("Выплаты <быстрые> & удобные"),
        parse_mode="HTML",
        reply_parameters=ReplyParameters(message_id=sent.message_id),
    )
    assert reply.text == "Выплаты <быстрые> & удобные"
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == sent.message_id
    for bad in (
        "Выплаты <быстрые> & удобные",
        "<b>open",
        "<b>x</i>",
        "a < b",
        "5 > 3",
        "Q&A",
        "<span>x</span>",
        "line<br/>",
        "&nbsp;",
    ):
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(CHAT, bad, parse_mode="HTML")
    ok = (
        '<a href="https://e.com/?a=1&amp;b=2">link</a> <tg-spoiler>s</tg-spoiler> '
        "<blockquote expandable>q</blockquote>"
    )
    links = await bot.send_message(CHAT, ok, parse_mode="HTML")
    assert [e.type for e in links.entities or []] == ["text_link", "spoiler", "expandable_blockquote"]
    assert links.entities and links.entities[0].url == "https://e.com/?a=1&b=2"
    assert len(srv.chat_messages(CHAT)) == 3  # refused sends created nothing


async def test_text_limits(srv: FakeTelegram, bot: Bot) -> None:
    srv.enforce_limits = False
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "a" * 4097)
    await bot.send_message(CHAT, "a" * 4096)
    await bot.send_message(CHAT, "<b>" + "я" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "&lt;" * 4097, parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    photo = BufferedInputFile(b"jpeg", "p.jpg")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(CHAT, photo, caption="c" * 1025)


async def test_callback_data_limit(srv: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard(("b", "d" * 65)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard(("b", "я" * 33)))  # 66 bytes
    await bot.send_message(CHAT, "x", reply_markup=keyboard(("b", "d" * 64)))
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(
            CHAT,
            "x",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="no action")]]),
        )


async def test_blocked_chat(srv: FakeTelegram, bot: Bot) -> None:
    srv.block_chat(CHAT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hi")
    srv.unblock_chat(CHAT)
    await bot.send_message(CHAT, "hi")
    assert srv.sent_per_chat() == {CHAT: 1}


async def test_per_chat_burst_429(srv: FakeTelegram, bot: Bot) -> None:
    for n in range(3):
        await bot.send_message(CHAT, f"m{n}")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(CHAT, "one too many")
    assert info.value.retry_after >= 1
    assert srv.count_429 == 1 and len(srv.chat_messages(CHAT)) == 3
    assert srv.calls_for("sendMessage")[-1].response["parameters"]["retry_after"] >= 1  # type: ignore[index]
    await bot.send_message(CHAT + 1, "other chats are not affected")


async def test_global_rate_and_paid_broadcast(srv: FakeTelegram, bot: Bot) -> None:
    srv.global_rate = 5
    for chat in range(1, 6):
        await bot.send_message(chat, "bulk")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(6, "bulk")
    assert info.value.retry_after >= 1
    for chat in range(10, 30):
        await bot.send_message(chat, "paid", allow_paid_broadcast=True)
    assert srv.count_429 == 1
    assert srv.calls_for("sendMessage")[-1].params["allow_paid_broadcast"] is True
    srv.enforce_limits = False
    for _ in range(10):
        await bot.send_message(6, "unlimited")


async def test_injected_server_error_and_disconnect(srv: FakeTelegram, bot: Bot) -> None:
    srv.inject_failure("sendMessage", "5xx")
    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "a")
    srv.inject_failure("sendMessage", "disconnect", chat_id=CHAT)
    await bot.send_message(CHAT + 1, "other chat is unaffected")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(CHAT, "b")
    await bot.send_message(CHAT, "c")
    assert [m["text"] for m in srv.chat_messages(CHAT)] == ["c"]
    assert [c.injected for c in srv.calls_for("sendMessage")] == ["5xx", None, "disconnect", None]


async def test_injected_timeout(srv: FakeTelegram) -> None:
    impatient = make_bot(srv, timeout=0.5)
    srv.timeout_delay = 1.0
    srv.inject_failure("sendMessage", "timeout", deliver=True)
    with pytest.raises(TelegramNetworkError):
        await impatient.send_message(CHAT, "late")
    # Telegram delivered it although the bot never saw the answer.
    await srv.wait_until(lambda: len(srv.chat_messages(CHAT)) == 1, timeout=3)
    await impatient.session.close()


async def test_files_round_trip(srv: FakeTelegram, bot: Bot) -> None:
    doc = await bot.send_document(
        CHAT, BufferedInputFile(b"id;name\n1;A\n", "report.csv"), caption="<i>r</i>", parse_mode="HTML"
    )
    assert doc.document is not None and doc.document.file_name == "report.csv" and doc.caption == "r"
    assert srv.uploaded(doc.message_id, CHAT) == b"id;name\n1;A\n"
    assert srv.uploaded_name(doc.message_id, CHAT) == "report.csv"
    photo = await bot.send_photo(CHAT, BufferedInputFile(b"\xff\xd8jpeg", "chart.png"))
    assert photo.photo and srv.uploaded(photo.message_id, CHAT) == b"\xff\xd8jpeg"

    srv.push_document(USER, None, "partners.csv", "ext;имя\n".encode(), caption="/import")
    (update,) = await bot.get_updates()
    assert update.message and update.message.document and update.message.caption == "/import"
    file = await bot.get_file(update.message.document.file_id)
    buffer = await bot.download(file)
    assert isinstance(buffer, io.BytesIO) and buffer.getvalue() == "ext;имя\n".encode()
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")

    copied = await bot.copy_message(CHAT + 5, CHAT, doc.message_id)
    assert srv.uploaded(copied.message_id, CHAT + 5) == b"id;name\n1;A\n"
    await bot.send_chat_action(CHAT, "typing")
    assert await bot.delete_message(CHAT, doc.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, doc.message_id)


async def test_commands_storage(srv: FakeTelegram, bot: Bot) -> None:
    commands = [BotCommand(command="survey", description="Пройти опрос")]
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=42), language_code="ru")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    key = srv.scope_key({"type": "chat", "chat_id": 42})
    assert srv.commands[(key, "ru")] == [{"command": "survey", "description": "Пройти опрос"}]
    assert srv.commands[(srv.scope_key(None), "")][0]["command"] == "start"
    got = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=42), language_code="ru")
    assert [c.command for c in got] == ["survey"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=42), language_code="ru")
    assert await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=42), language_code="ru") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])


async def test_answer_callback_query_rules(srv: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "q", reply_markup=keyboard(("7", "s:7")))
    _, query_id = srv.push_callback(USER, srv.message(CHAT, sent.message_id) or {}, "s:7")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "s:7"
    assert await bot.answer_callback_query(query_id, text="Спасибо")
    answer = srv.callback_answer(query_id)
    assert answer is not None and answer["text"] == "Спасибо" and answer["delay"] >= 0
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("12345")
    srv.callback_timeout = 0.05
    _, late_id = srv.push_callback(USER, srv.message(CHAT, sent.message_id) or {}, "s:7")
    await asyncio.sleep(0.1)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(late_id)


async def test_group_chats(srv: FakeTelegram, bot: Bot) -> None:
    srv.push_message(USER, {"id": -100500, "title": "Managers"}, "hi all")
    (update,) = await bot.get_updates()
    assert update.message and update.message.chat.type == "group" and update.message.chat.title == "Managers"
    sent = await bot.send_message(-100500, "hello group")
    assert sent.chat.type == "group" and sent.message_id == 2
    srv.block_chat(-100500)
    with pytest.raises(TelegramForbiddenError, match="kicked"):
        await bot.send_message(-100500, "again")


async def test_sim_user_with_dispatcher(srv: FakeTelegram, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            "Оцените <b>нас</b>",
            parse_mode="HTML",
            reply_markup=keyboard(("7", "s:7"), ("✓ Поддержка", "a:support")),
        )

    @dp.message(F.document)
    async def document(message: Message) -> None:
        await message.answer(f"got {message.document.file_name}")  # type: ignore[union-attr]

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer(f"ok {query.data}")
        if query.data == "s:7" and isinstance(query.message, Message):
            await query.message.edit_text("Ваша оценка: 7")

    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        user = SimUser(srv, user_id=CHAT, first_name="Анна", language_code="ru")
        await user.send_text("/start")
        question = await user.wait_reply()
        assert question["text"] == "Оцените нас" and user.buttons() == ["7", "✓ Поддержка"]
        answer = await user.press("Поддержка")  # the check mark is ignored
        assert answer["text"] == "ok a:support" and answer["delay"] >= 0
        assert (await user.press("Подд", exact=False))["text"] == "ok a:support"
        assert (await user.press("7"))["text"] == "ok s:7"
        edited = await user.wait_text("Ваша оценка: 7")
        assert edited["message_id"] == question["message_id"] and user.buttons() == []
        with pytest.raises(AssertionError, match="no inline button"):
            user.find_button("8")
        forged = await user.press_data("forged:data", message_id=question["message_id"])
        assert forged["text"] == "ok forged:data"
        await user.send_document("partners.csv", b"a;b\n", caption="/import")
        assert (await user.wait_reply())["text"] == "got partners.csv"
        assert user.last_text() == "got partners.csv"
    finally:
        await dp.stop_polling()
        await polling

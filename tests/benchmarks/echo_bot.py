"""The bare aiogram echo bot the ingest benchmark compares against (memory storage, no database).

python -m tests.benchmarks.echo_bot   (BOT_TOKEN and TELEGRAM_API_URL from the environment)
"""

from __future__ import annotations

import os

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message


def echo_dispatcher() -> Dispatcher:
    """Echo text with one button; a tap is acknowledged and answered with a message."""
    dp = Dispatcher(storage=MemoryStorage())
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="ok")]])

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "", reply_markup=keyboard)

    @dp.callback_query()
    async def tapped(callback: CallbackQuery, bot: Bot) -> None:
        await callback.answer()
        await bot.send_message(callback.from_user.id, "ok", reply_markup=keyboard)

    return dp


async def main() -> None:
    """Poll until killed."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dp = echo_dispatcher()
    await dp.start_polling(bot, polling_timeout=1)


if __name__ == "__main__":
    import uvloop

    uvloop.run(main())  # the same loop as partner-pulse, so the ratio compares our own work

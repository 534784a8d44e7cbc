"""Fake Telegram Bot API server and simulated users for end-to-end tests.

Point a real ``aiogram.Bot`` at :class:`FakeTelegram` with
``AiohttpSession(api=TelegramAPIServer.from_base(srv.base_url))`` and drive
conversations with :class:`SimUser`.
"""

from .server import FakeTelegram
from .state import ApiCall
from .user import SimUser

__all__ = ["ApiCall", "FakeTelegram", "SimUser"]

"""A simulated Telegram user who talks to the bot through :class:`FakeTelegram`.

Every action (``send_*``, ``press``) remembers where the conversation stood,
so ``wait_reply()`` means "the bot's reply to my last action" and
``wait_text()`` means "something the bot sent or edited since then".
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .state import DEADLINE

if TYPE_CHECKING:
    from .server import FakeTelegram

CHECK_MARK = "✓ "


def _label_matches(text: str, label: str, exact: bool) -> bool:
    if exact:
        # Bots mark the current choice with a leading check mark; ignore it.
        return text == label or text.removeprefix(CHECK_MARK) == label
    return label in text


class SimUser:
    """One user (and the chat they write in: private by default)."""

    def __init__(
        self,
        srv: FakeTelegram,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "ru",
        username: str | None = None,
        chat: dict[str, Any] | int | None = None,
        last_name: str | None = None,
    ) -> None:
        self.srv = srv
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            self.user["last_name"] = last_name
        if username is not None:
            self.user["username"] = username
        if language_code is not None:
            self.user["language_code"] = language_code
        if chat is None:
            self.chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
            if username is not None:
                self.chat["username"] = username
        elif isinstance(chat, int):
            self.chat = {"id": chat, "type": "private" if chat > 0 else "group"}
            if chat < 0:
                self.chat["title"] = f"Group {chat}"
            else:
                self.chat["first_name"] = first_name
        else:
            self.chat = dict(chat)
        self.srv.store.remember_user(self.user)
        self.chat = self.srv.store.remember_chat(self.chat)
        if self.chat["type"] != "private":
            self.srv.store.members.setdefault((self.chat["id"], user_id), "member")
        self._action_seq = self.srv.store.seq
        self._reply_cursor = self.srv.store.max_message_id(self.chat_id)

    @property
    def user_id(self) -> int:
        return int(self.user["id"])

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def _mark(self) -> None:
        """Remember the conversation state at the moment of an action."""
        self._action_seq = self.srv.store.seq
        self._reply_cursor = self.srv.store.max_message_id(self.chat_id)

    # -- actions --------------------------------------------------------------

    async def send_text(self, text: str, **extra: Any) -> int:
        self._mark()
        return self.srv.push_message(self.user, self.chat, text, **extra)

    async def edit_message(self, message_id: int, text: str) -> int:
        """Edit one of my messages in this chat (Telegram sends ``edited_message``)."""
        self._mark()
        return self.srv.push_edit(self.chat_id, message_id, text)

    async def send_document(
        self,
        filename: str,
        content: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> int:
        self._mark()
        return self.srv.push_document(self.user, self.chat, filename, content, caption, mime_type)

    async def send_sticker(self) -> int:
        self._mark()
        return self.srv.push_sticker(self.user, self.chat)

    async def send_photo(self, caption: str | None = None) -> int:
        self._mark()
        return self.srv.push_photo(self.user, self.chat, caption)

    async def send_voice(self) -> int:
        self._mark()
        return self.srv.push_voice(self.user, self.chat)

    def find_button(self, label: str, exact: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
        """(message, button) of the newest bot message having a matching button."""
        for message in reversed(self.messages()):
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if _label_matches(button.get("text", ""), label, exact):
                        return message, button
        raise AssertionError(
            f"no inline button {label!r} in chat {self.chat_id}; "
            f"buttons of the last keyboard: {self.buttons()}"
        )

    async def press(
        self,
        label: str,
        exact: bool = True,
        timeout: float = DEADLINE,  # noqa: ASYNC109 - how long to wait for the bot's answer
        wait_answer: bool = True,
    ) -> dict[str, Any]:
        """Press an inline button by its label; return the bot's callback answer."""
        message, button = self.find_button(label, exact)
        if "callback_data" not in button:
            raise AssertionError(f"button {button.get('text')!r} has no callback_data: {button}")
        return await self._callback(message, button["callback_data"], timeout, wait_answer)

    async def press_data(
        self,
        data: str,
        message_id: int | None = None,
        timeout: float = DEADLINE,  # noqa: ASYNC109 - how long to wait for the bot's answer
        wait_answer: bool = True,
    ) -> dict[str, Any]:
        """Send a raw callback (e.g. forged data) on a message, default the last one."""
        message: dict[str, Any] | None
        if message_id is None:
            message = self.last()
        else:
            message = self.srv.message(self.chat_id, message_id)
        if message is None:
            # Telegram sends InaccessibleMessage (date 0) for messages it cannot show.
            message = {"chat": dict(self.chat), "message_id": message_id or 1, "date": 0}
        return await self._callback(message, data, timeout, wait_answer)

    async def _callback(
        self, message: dict[str, Any], data: str, limit: float, wait_answer: bool
    ) -> dict[str, Any]:
        self._mark()
        _, query_id = self.srv.push_callback(self.user, message, data)
        if not wait_answer:
            return {"query_id": query_id}
        await self.srv.wait_until(
            lambda: self.srv.callback_answer(query_id) is not None,
            limit,
            f"bot did not answer callback query {data!r} of user {self.user_id}",
        )
        answer = self.srv.callback_answer(query_id)
        assert answer is not None
        return answer

    # -- observations ---------------------------------------------------------

    def messages(self) -> list[dict[str, Any]]:
        """Bot messages in this chat, edits applied."""
        return self.srv.chat_messages(self.chat_id)

    def last(self) -> dict[str, Any] | None:
        messages = self.messages()
        return messages[-1] if messages else None

    def last_text(self) -> str | None:
        message = self.last()
        if message is None:
            return None
        return message.get("text", message.get("caption"))

    def buttons_data(self, msg: dict[str, Any] | None = None) -> list[str]:
        """callback_data of the buttons of ``msg`` (default: newest message with a keyboard)."""
        return [str(b.get("callback_data", "")) for b in self._button_dicts(msg)]

    def _button_dicts(self, msg: dict[str, Any] | None) -> list[dict[str, Any]]:
        if msg is None:
            with_keyboard = [m for m in self.messages() if m.get("reply_markup")]
            if not with_keyboard:
                return []
            msg = with_keyboard[-1]
        rows = msg.get("reply_markup", {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def buttons(self, msg: dict[str, Any] | None = None) -> list[str]:
        """Flat button labels of ``msg`` (default: the newest bot message with a keyboard)."""
        return [str(b.get("text", "")) for b in self._button_dicts(msg)]

    def _transcript(self) -> str:
        lines = [
            f"#{m['message_id']}: {m.get('text', m.get('caption', '<media>'))!r}"
            for m in self.messages()[-5:]
        ]
        return "; ".join(lines) or "no bot messages"

    async def wait_reply(
        self,
        count_before: int | None = None,
        timeout: float = DEADLINE,  # noqa: ASYNC109 - polling deadline
    ) -> dict[str, Any]:
        """Wait for a new bot message in this chat and return it.

        Without ``count_before`` this is the next message after the user's last
        action; calling it again returns the following one.  With
        ``count_before`` it returns ``messages()[count_before]`` once it exists.
        """
        if count_before is not None:
            index = count_before
            await self.srv.wait_until(
                lambda: len(self.messages()) > index,
                timeout,
                lambda: f"no new bot message in chat {self.chat_id}; {self._transcript()}",
            )
            return self.messages()[index]
        cursor = self._reply_cursor

        def newer() -> list[dict[str, Any]]:
            return [m for m in self.messages() if m["message_id"] > cursor]

        await self.srv.wait_until(
            lambda: bool(newer()),
            timeout,
            lambda: f"no reply in chat {self.chat_id}; {self._transcript()}",
        )
        reply = newer()[0]
        self._reply_cursor = reply["message_id"]
        return reply

    async def wait_text(
        self,
        substring: str,
        timeout: float = DEADLINE,  # noqa: ASYNC109 - polling deadline
    ) -> dict[str, Any]:
        """Wait until a bot message sent or edited since the last action contains text."""
        since = self._action_seq

        def match() -> dict[str, Any] | None:
            records = [r for r in self.srv.store.records(self.chat_id) if r.seq > since]
            for record in sorted(records, key=lambda r: r.seq, reverse=True):
                text = record.message.get("text", record.message.get("caption")) or ""
                if substring in text:
                    return copy.deepcopy(record.message)
            return None

        await self.srv.wait_until(
            lambda: match() is not None,
            timeout,
            lambda: f"no bot message containing {substring!r} in chat {self.chat_id}; {self._transcript()}",
        )
        found = match()
        assert found is not None
        return found

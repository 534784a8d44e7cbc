"""Telegram's chat lifecycle, in Telegram's own update shapes and error texts.

* ``upgrade_to_supergroup``: the group gets a new ``-100…`` id; the old id answers 400 "group chat
  was upgraded to a supergroup chat" with ``parameters.migrate_to_chat_id``; service messages
  ``migrate_to_chat_id`` (old chat) and ``migrate_from_chat_id`` (new chat) are sent to the bot.
* ``remove_bot`` / ``add_bot``: ``my_chat_member`` updates; while removed, sends answer 403
  "Forbidden: bot was kicked from the group chat".
* ``push_edit``: a user edits their message (``edited_message`` with ``edit_date``).
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import Store
    from .updates import UpdateQueue

UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"


class LifecycleMixin:
    """Chat-lifecycle helpers of :class:`~tests.fakebot.server.FakeTelegram`."""

    store: Store
    updates: UpdateQueue
    blocked: set[int]
    migrated: dict[int, int]
    bot_user: dict[str, Any]

    def upgrade_to_supergroup(self, chat_id: int, by: dict[str, Any], new_id: int | None = None) -> int:
        """Upgrade a group; returns the supergroup's id. Members move along."""
        new = new_id if new_id is not None else int(f"-100{abs(chat_id)}")
        old_chat = self.store.chat(chat_id)
        title = old_chat.get("title", "")
        self.store.remember_chat({"id": new, "type": "supergroup", "title": title})
        for (cid, uid), status in list(self.store.members.items()):
            if cid == chat_id:
                self.store.members[(new, uid)] = status
        self.store.copy_history(chat_id, new)  # Telegram keeps the history and its message ids
        sender = self.store.remember_user(by)
        to_new = self.store.add_message(chat_id, sender, {"migrate_to_chat_id": new}, from_bot=False)
        self.migrated[chat_id] = new
        self.updates.push({"message": copy.deepcopy(to_new.message)})
        from_new = self.store.add_message(new, sender, {"migrate_from_chat_id": chat_id}, from_bot=False)
        self.updates.push({"message": copy.deepcopy(from_new.message)})
        return new

    def _my_chat_member(self, chat_id: int, by: dict[str, Any], old: str, new: str) -> int:
        member = {"user": copy.deepcopy(self.bot_user)}
        update = {
            "chat": self.store.chat(chat_id),
            "from": self.store.remember_user(by),
            "date": int(time.time()),
            "old_chat_member": {**member, "status": old},
            "new_chat_member": {**member, "status": new, **({"until_date": 0} if new == "kicked" else {})},
        }
        return self.updates.push({"my_chat_member": update})

    def remove_bot(self, chat_id: int, by: dict[str, Any], *, kicked: bool = False) -> int:
        """Someone removes the bot from a group: sends fail with 403 until it is added back."""
        self.blocked.add(chat_id)
        return self._my_chat_member(chat_id, by, "member", "kicked" if kicked else "left")

    def add_bot(self, chat_id: int, by: dict[str, Any]) -> int:
        """Someone adds the bot (back) to a group."""
        self.blocked.discard(chat_id)
        return self._my_chat_member(chat_id, by, "left", "member")

    def push_edit(self, chat_id: int, message_id: int, text: str) -> int:
        """The author edits one of their messages; returns the update id."""
        record = self.store.get(chat_id, message_id)
        if record is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        record.message["text"] = text
        record.message["edit_date"] = int(time.time())
        return self.updates.push({"edited_message": copy.deepcopy(record.message)})

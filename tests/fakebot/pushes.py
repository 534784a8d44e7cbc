"""Building the updates that users "send" to the bot.

Incoming messages are stored in the chat like bot messages, so they take a
message id from the same per-chat sequence, exactly as in Telegram.
"""

from __future__ import annotations

import copy
from typing import Any

from .messaging import document_object, photo_sizes
from .state import Store, StoredMessage
from .updates import UpdateQueue

# Smallest valid WebP/OGG-ish payloads; content is never inspected by bots here.
_STICKER_BYTES = b"RIFF\x1a\x00\x00\x00WEBPVP8L"
_PHOTO_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00fake-jpeg\xff\xd9"
_VOICE_BYTES = b"OggS\x00fake-opus"


class PushMixin:
    """Python-side helpers of :class:`FakeTelegram` that enqueue user updates."""

    store: Store
    updates: UpdateQueue

    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue a raw update (without ``update_id``); returns the assigned id."""
        return self.updates.push(payload)

    def push_raw_duplicate(self, update_id: int) -> None:
        """Deliver an already pushed update again with the same ``update_id``."""
        self.updates.duplicate(update_id)

    def _user_message(
        self, user: dict[str, Any], chat: dict[str, Any] | None, fields: dict[str, Any]
    ) -> StoredMessage:
        sender = self.store.remember_user(user)
        if chat is None:
            chat = {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
            for key in ("last_name", "username"):
                if key in sender:
                    chat[key] = sender[key]
        chat = self.store.remember_chat(chat)
        return self.store.add_message(chat["id"], sender, fields, from_bot=False)

    def _push_user_message(
        self, user: dict[str, Any], chat: dict[str, Any] | None, fields: dict[str, Any]
    ) -> tuple[int, StoredMessage]:
        record = self._user_message(user, chat, fields)
        return self.push_update({"message": copy.deepcopy(record.message)}), record

    def push_message(
        self,
        user: dict[str, Any],
        chat: dict[str, Any] | None = None,
        text: str | None = None,
        **extra: Any,
    ) -> int:
        """Queue a message from ``user``; ``extra`` fields are merged into the Message."""
        fields: dict[str, Any] = {}
        if text is not None:
            fields["text"] = text
            if text.startswith("/"):
                command = text.split()[0] if text.split() else text
                fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        fields.update(extra)
        return self._push_user_message(user, chat, fields)[0]

    def push_callback(self, user: dict[str, Any], message: dict[str, Any], data: str) -> tuple[int, str]:
        """Queue a callback_query pressed on ``message``; returns (update_id, query id)."""
        sender = self.store.remember_user(user)
        chat_id = message.get("chat", {}).get("id")
        record = self.store.add_callback(sender["id"], chat_id, message.get("message_id"), data)
        query = {
            "id": record.query_id,
            "from": sender,
            "message": copy.deepcopy(message),
            "chat_instance": str(8_000_000_000 + abs(int(chat_id or 0))),
            "data": data,
        }
        return self.push_update({"callback_query": query}), record.query_id

    def push_document(
        self,
        user: dict[str, Any],
        chat: dict[str, Any] | None,
        filename: str,
        content: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> int:
        """Queue a document message; the bytes are served by getFile + download."""
        stored = self.store.add_file(content, filename, "document", mime_type)
        fields: dict[str, Any] = {"document": document_object(stored)}
        if caption is not None:
            fields["caption"] = caption
            if caption.startswith("/"):
                fields["caption_entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(caption.split()[0])}
                ]
        update_id, record = self._push_user_message(user, chat, fields)
        record.file = stored
        return update_id

    def push_photo(
        self,
        user: dict[str, Any],
        chat: dict[str, Any] | None = None,
        caption: str | None = None,
        content: bytes = _PHOTO_BYTES,
    ) -> int:
        stored = self.store.add_file(content, None, "photo", "image/jpeg")
        fields: dict[str, Any] = {"photo": photo_sizes(stored)}
        if caption is not None:
            fields["caption"] = caption
        update_id, record = self._push_user_message(user, chat, fields)
        record.file = stored
        return update_id

    def push_sticker(self, user: dict[str, Any], chat: dict[str, Any] | None = None) -> int:
        stored = self.store.add_file(_STICKER_BYTES, None, "sticker", "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": len(stored.content),
        }
        update_id, record = self._push_user_message(user, chat, {"sticker": sticker})
        record.file = stored
        return update_id

    def push_voice(self, user: dict[str, Any], chat: dict[str, Any] | None = None, duration: int = 3) -> int:
        stored = self.store.add_file(_VOICE_BYTES, None, "voice", "audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.content),
        }
        update_id, record = self._push_user_message(user, chat, {"voice": voice})
        record.file = stored
        return update_id

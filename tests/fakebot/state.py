"""In-memory world of the fake Telegram: chats, messages, files, calls.

Message ids are allocated per chat and shared by bot and user messages, as in
Telegram.  Every creation or edit bumps a global sequence number so observers
(the simulated user) can ask "what changed since my last action?".
"""

from __future__ import annotations

import copy
import mimetypes
import time
from dataclasses import dataclass, field
from typing import Any

ChatId = int

# Default deadline of every wait for the bot (seconds). Only a bound on how long a test waits
# before it fails, never a speed target: generous, so a loaded machine (CPU hogs, other jobs)
# does not fail the suite; a wait that is met returns at once.
DEADLINE = 30.0


@dataclass
class ApiCall:
    """One HTTP request to the fake Bot API."""

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    time: float
    status: int = 0
    response: dict[str, Any] | None = None
    uploads: dict[str, str] = field(default_factory=dict)  # part name -> filename
    injected: str | None = None  # kind of injected failure, if any

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    filename: str | None
    mime_type: str | None
    file_path: str

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass
class StoredMessage:
    message: dict[str, Any]
    from_bot: bool
    seq: int
    file: StoredFile | None = None
    deleted: bool = False
    raw_text: str | None = None  # text/caption as the bot sent it (before parsing)
    reply_keyboard: dict[str, Any] | None = None  # non-inline markup, not part of Message

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])


@dataclass
class CallbackRecord:
    query_id: str
    user_id: int
    chat_id: ChatId | None
    message_id: int | None
    data: str
    pushed_at: float
    answered_at: float | None = None
    answer: dict[str, Any] | None = None


@dataclass
class Failure:
    """A pending injected failure; consumed in order of injection."""

    method: str | None
    kind: str
    count: int
    chat_id: ChatId | None
    deliver: bool
    retry_after: int = 1
    skip: int = 0  # matching calls to let through before failing

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or _same_chat(self.chat_id, chat_id)


def _same_chat(a: int | str | None, b: int | str | None) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def normalize_chat_id(value: Any) -> int | str | None:
    """Chat ids arrive as int, numeric string or ``@username``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return text or None


_EXTENSIONS = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp", "document": ""}
_FOLDERS = {"photo": "photos", "voice": "voice", "sticker": "stickers", "document": "documents"}


class Store:
    """Chats, users, messages and files known to the fake server."""

    def __init__(self) -> None:
        self.chats: dict[ChatId, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[ChatId, dict[int, StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self._next_message_id: dict[ChatId, int] = {}
        self._file_counter = 0
        self._callback_counter = 0
        self.seq = 0
        # getChatMember: (chat id, user id) -> status; a SimUser acting in a group is a member.
        self.members: dict[tuple[ChatId, int], str] = {}

    # -- identities ---------------------------------------------------------

    def remember_user(self, user: dict[str, Any]) -> dict[str, Any]:
        full = {"is_bot": False, "first_name": "User", **user}
        full["id"] = int(full["id"])
        self.users[full["id"]] = full
        return full

    def remember_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        full = dict(chat)
        full.setdefault("type", "private" if int(full["id"]) > 0 else "group")
        if full["type"] == "private":
            full.setdefault("first_name", "User")
        else:
            full.setdefault("title", f"Group {full['id']}")
        self.chats[full["id"]] = full
        return full

    def find_username(self, username: str) -> ChatId | None:
        """Resolve ``@username`` to a known chat id (channels/groups/users)."""
        wanted = username.lstrip("@").lower()
        for chat_id, chat in self.chats.items():
            if str(chat.get("username", "")).lower() == wanted:
                return chat_id
        return None

    def chat(self, chat_id: ChatId) -> dict[str, Any]:
        """Chat object for an id; private chats of known users reuse their names."""
        known = self.chats.get(chat_id)
        if known is not None:
            return copy.deepcopy(known)
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}
        user = self.users.get(chat_id, {})
        chat: dict[str, Any] = {
            "id": chat_id,
            "type": "private",
            "first_name": user.get("first_name", "User"),
        }
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    # -- messages -----------------------------------------------------------

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def add_message(
        self,
        chat_id: ChatId,
        sender: dict[str, Any],
        fields: dict[str, Any],
        *,
        from_bot: bool,
        file: StoredFile | None = None,
        raw_text: str | None = None,
    ) -> StoredMessage:
        """Allocate the chat's next message id and store a Message dict."""
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": copy.deepcopy(sender),
            "chat": self.chat(chat_id),
            "date": int(time.time()),
        }
        message.update(fields)
        record = StoredMessage(message, from_bot, self.next_seq(), file, raw_text=raw_text)
        self.messages.setdefault(chat_id, {})[message_id] = record
        return record

    def copy_history(self, old: ChatId, new: ChatId) -> None:
        """A group became a supergroup: its messages appear there with the same ids."""
        chat = self.chat(new)
        for message_id, record in self.messages.get(old, {}).items():
            message = {**copy.deepcopy(record.message), "chat": copy.deepcopy(chat)}
            copied = StoredMessage(
                message, record.from_bot, self.next_seq(), record.file, raw_text=record.raw_text
            )
            self.messages.setdefault(new, {})[message_id] = copied
        self._next_message_id[new] = max(self._next_message_id.get(new, 0), self._next_message_id.get(old, 0))

    def get(self, chat_id: ChatId, message_id: int) -> StoredMessage | None:
        record = self.messages.get(chat_id, {}).get(message_id)
        return None if record is None or record.deleted else record

    def records(self, chat_id: ChatId, *, include_user: bool = False) -> list[StoredMessage]:
        return [
            r
            for r in self.messages.get(chat_id, {}).values()
            if not r.deleted and (include_user or r.from_bot)
        ]

    def max_message_id(self, chat_id: ChatId) -> int:
        return self._next_message_id.get(chat_id, 0)

    # -- files --------------------------------------------------------------

    def add_file(
        self, content: bytes, filename: str | None, kind: str, mime_type: str | None = None
    ) -> StoredFile:
        self._file_counter += 1
        n = self._file_counter
        ext = _EXTENSIONS.get(kind, "")
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        if mime_type is None and filename:
            mime_type = mimetypes.guess_type(filename)[0]
        stored = StoredFile(
            file_id=f"FAKE{kind.upper()}{n:06d}AgADBAAD",
            file_unique_id=f"AQAD{n:06d}",
            content=content,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{_FOLDERS.get(kind, 'documents')}/file_{n}{ext}",
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # -- callback queries ---------------------------------------------------

    def add_callback(
        self, user_id: int, chat_id: ChatId | None, message_id: int | None, data: str
    ) -> CallbackRecord:
        self._callback_counter += 1
        query_id = str(4_300_000_000_000_000_000 + self._callback_counter)
        record = CallbackRecord(query_id, user_id, chat_id, message_id, data, time.monotonic())
        self.callbacks[query_id] = record
        return record

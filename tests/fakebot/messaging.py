"""Bot API methods that create, edit or delete messages.

Order of checks mirrors what a bot observes from Telegram: the target chat
first (403 when blocked), then content validation (400), then flood control
(429).  Only a request that passes all of them creates a message, so refused
sends never show up in the chat transcript.
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

from .state import StoredFile, StoredMessage
from .validation import check_reply_markup, render_text, require
from .wire import ApiError, DecodedRequest, Upload, as_bool, as_int, bad_request

if TYPE_CHECKING:
    from .server import FakeTelegram

# Methods subject to flood control and counted by ``sent_per_chat``.
MESSAGE_CREATING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"})

MAX_PHOTO = 10 * 1024 * 1024
MAX_DOCUMENT = 50 * 1024 * 1024

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)

# Content fields carried over by copyMessage / forwardMessage.
_CONTENT_KEYS = (
    "text",
    "entities",
    "photo",
    "document",
    "sticker",
    "voice",
    "caption",
    "caption_entities",
)


def _reply_fields(srv: FakeTelegram, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """Resolve reply_parameters / legacy reply_to_message_id into reply_to_message."""
    allow = as_bool(params.get("allow_sending_without_reply", False))
    target: Any = None
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        target = reply.get("message_id")
        allow = as_bool(reply.get("allow_sending_without_reply", allow))
    elif params.get("reply_to_message_id") is not None:
        target = params["reply_to_message_id"]
    if target is None:
        return {}
    record = srv.store.get(chat_id, as_int(target, "reply message identifier"))
    if record is None:
        if allow:
            return {}
        raise bad_request("message to be replied not found")
    replied = copy.deepcopy(record.message)
    replied.pop("reply_to_message", None)  # Telegram nests only one level
    return {"reply_to_message": replied}


def _finish_send(
    srv: FakeTelegram,
    chat_id: int,
    params: dict[str, Any],
    fields: dict[str, Any],
    *,
    raw_text: str | None = None,
    file: StoredFile | None = None,
) -> StoredMessage:
    """Common tail of every message-creating method: markup, flood control, store."""
    inline, other = check_reply_markup(params.get("reply_markup"))
    fields.update(_reply_fields(srv, chat_id, params))
    if inline is not None:
        fields["reply_markup"] = inline
    srv.admit_send(chat_id, params)
    record = srv.store.add_message(chat_id, srv.bot_user, fields, from_bot=True, file=file, raw_text=raw_text)
    record.reply_keyboard = other
    srv.record_sent(chat_id)
    return record


async def send_message(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    chat_id = srv.target_chat(params)
    text, entities = render_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
    fields: dict[str, Any] = {"text": text}
    if entities:
        fields["entities"] = entities
    preview = params.get("link_preview_options")
    if isinstance(preview, dict):
        fields["link_preview_options"] = preview
    record = _finish_send(srv, chat_id, params, fields, raw_text=str(params.get("text")))
    return record.message


def _caption_fields(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("caption") in (None, ""):
        return {}
    caption, entities = render_text(
        params["caption"], params.get("parse_mode"), params.get("caption_entities"), caption=True
    )
    fields: dict[str, Any] = {"caption": caption}
    if entities:
        fields["caption_entities"] = entities
    return fields


def _resolve_file(srv: FakeTelegram, req: DecodedRequest, name: str, kind: str, max_size: int) -> StoredFile:
    """An upload, a known file_id, or an HTTP URL (which the fake cannot fetch)."""
    value = req.file_param(name)
    if isinstance(value, Upload):
        if not value.content:
            raise bad_request("file must be non-empty")
        if len(value.content) > max_size:
            raise ApiError(413, "Request Entity Too Large")
        return srv.store.add_file(value.content, value.filename, kind, value.content_type)
    if isinstance(value, str) and value:
        known = srv.store.files.get(value)
        if known is not None:
            return known
        if value.startswith(("http://", "https://")):
            return srv.store.add_file(b"", value.rsplit("/", 1)[-1] or None, kind)
        raise bad_request("wrong file identifier/HTTP URL specified")
    raise bad_request(f"there is no {name} in the request")


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 320,
            "height": 240,
            "file_size": len(stored.content),
        }
    ]


def document_object(stored: StoredFile) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }
    if stored.filename:
        doc["file_name"] = stored.filename
    if stored.mime_type:
        doc["mime_type"] = stored.mime_type
    return doc


async def send_photo(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    chat_id = srv.target_chat(params)
    fields = _caption_fields(params)
    stored = _resolve_file(srv, req, "photo", "photo", MAX_PHOTO)
    fields["photo"] = photo_sizes(stored)
    record = _finish_send(srv, chat_id, params, fields, raw_text=params.get("caption"), file=stored)
    return record.message


async def send_document(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    chat_id = srv.target_chat(params)
    fields = _caption_fields(params)
    stored = _resolve_file(srv, req, "document", "document", MAX_DOCUMENT)
    fields["document"] = document_object(stored)
    record = _finish_send(srv, chat_id, params, fields, raw_text=params.get("caption"), file=stored)
    return record.message


def _source(srv: FakeTelegram, params: dict[str, Any], verb: str) -> StoredMessage:
    from_chat = srv.resolve_chat(require(params, "from_chat_id"))
    record = srv.store.get(from_chat, as_int(require(params, "message_id"), "message_id"))
    if record is None:
        raise bad_request(f"message to {verb} not found")
    return record


async def copy_message(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    chat_id = srv.target_chat(params)
    source = _source(srv, params, "copy")
    fields = {k: copy.deepcopy(v) for k, v in source.message.items() if k in _CONTENT_KEYS}
    if "caption" in params and "text" not in fields:
        fields.pop("caption", None)
        fields.pop("caption_entities", None)
        fields.update(_caption_fields(params))
    record = _finish_send(srv, chat_id, params, fields, raw_text=source.raw_text, file=source.file)
    return {"message_id": record.message_id}


async def forward_message(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    chat_id = srv.target_chat(params)
    source = _source(srv, params, "forward")
    fields = {k: copy.deepcopy(v) for k, v in source.message.items() if k in _CONTENT_KEYS}
    fields["forward_origin"] = {
        "type": "user",
        "sender_user": copy.deepcopy(source.message["from"]),
        "date": source.message["date"],
    }
    # Forwards never carry a keyboard or a reply of their own.
    record = _finish_send(
        srv,
        chat_id,
        {"allow_paid_broadcast": params.get("allow_paid_broadcast")},
        fields,
        raw_text=source.raw_text,
        file=source.file,
    )
    return record.message


def _editable(srv: FakeTelegram, params: dict[str, Any]) -> StoredMessage:
    if params.get("inline_message_id"):
        raise bad_request("message to edit not found")  # inline mode is not simulated
    chat_id = srv.target_chat(params)
    record = srv.store.get(chat_id, as_int(require(params, "message_id"), "message_id"))
    if record is None:
        raise bad_request("message to edit not found")
    if not record.from_bot:
        raise bad_request("message can't be edited")
    return record


def _apply_edit(srv: FakeTelegram, record: StoredMessage, new: dict[str, Any]) -> Any:
    """Apply changed fields (None removes); refuse no-op edits like Telegram."""
    message = record.message
    if all(message.get(key) == (value or None) for key, value in new.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in new.items():
        if value:
            message[key] = value
        else:
            message.pop(key, None)
    message["edit_date"] = int(time.time())
    record.seq = srv.store.next_seq()
    return copy.deepcopy(message)


async def edit_message_text(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    record = _editable(srv, params)
    if "text" not in record.message:
        raise bad_request("there is no text in the message to edit")
    text, entities = render_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
    # Omitting reply_markup in an edit removes the inline keyboard in Telegram.
    inline, _ = check_reply_markup(params.get("reply_markup"))
    result = _apply_edit(srv, record, {"text": text, "entities": entities, "reply_markup": inline})
    record.raw_text = str(params.get("text"))
    return result


async def edit_message_caption(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    record = _editable(srv, params)
    if "text" in record.message:
        raise bad_request("there is no caption in the message to edit")
    fields = _caption_fields(params)
    inline, _ = check_reply_markup(params.get("reply_markup"))
    result = _apply_edit(
        srv,
        record,
        {
            "caption": fields.get("caption"),
            "caption_entities": fields.get("caption_entities"),
            "reply_markup": inline,
        },
    )
    record.raw_text = params.get("caption")
    return result


async def edit_message_reply_markup(srv: FakeTelegram, req: DecodedRequest) -> Any:
    record = _editable(srv, req.params)
    inline, _ = check_reply_markup(req.params.get("reply_markup"))
    return _apply_edit(srv, record, {"reply_markup": inline})


async def delete_message(srv: FakeTelegram, req: DecodedRequest) -> Any:
    chat_id = srv.target_chat(req.params)
    record = srv.store.get(chat_id, as_int(require(req.params, "message_id"), "message_id"))
    if record is None:
        raise bad_request("message to delete not found")
    record.deleted = True
    return True


HANDLERS = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
}

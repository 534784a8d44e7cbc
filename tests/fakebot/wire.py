"""Wire format of the fake Bot API: decoding requests and encoding replies.

aiogram posts every method as ``multipart/form-data``: plain strings are sent
as-is, everything else (ints, bools, dicts, lists) is JSON-encoded, ``None``
fields are omitted and uploads are referenced as ``attach://<random key>``
with the bytes in a separate part.  Other clients use JSON bodies or query
strings, so all three are accepted and normalised into one ``params`` dict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

# Parameters whose Bot API type is String.  They must not be JSON-decoded:
# a message text "123" or "true" has to stay a string.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "file_id",
        "inline_message_id",
        "language_code",
        "action",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "description",
        "short_description",
        "name",
        "title",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "sticker",
        "animation",
        "thumbnail",
        "secret_token",
    }
)

# Complex parameters that a JSON-body client may still send JSON-encoded.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "caption_entities",
        "scope",
        "commands",
        "allowed_updates",
    }
)


class ApiError(Exception):
    """A Bot API error reply; raised by method handlers, rendered by the server."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:  # a group that became a supergroup
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(detail: str) -> ApiError:
    """Shorthand for Telegram's ubiquitous ``400 Bad Request: ...``."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class Upload:
    """One uploaded file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str | None = None


@dataclass
class DecodedRequest:
    """Normalised request: decoded params plus uploads keyed by part name."""

    params: dict[str, Any] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)

    def file_param(self, name: str) -> Upload | str | None:
        """Resolve a file parameter: an upload (direct or ``attach://``) or a file_id/URL."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.uploads.get(value[len("attach://") :])
        return value if isinstance(value, str) else None


def decode_value(name: str, value: str) -> Any:
    """Decode one form/query field the way Telegram does, by its declared type."""
    if name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        # e.g. chat_id="@channelname" or a bare word: keep the string.
        return value


async def decode_request(request: web.Request) -> DecodedRequest:
    """Read query string plus JSON / urlencoded / multipart body into one structure."""
    decoded = DecodedRequest()
    for key, value in request.query.items():
        decoded.params[key] = decode_value(key, value)
    if not request.can_read_body:
        return decoded
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            for key, value in body.items():
                if key in JSON_FIELDS and isinstance(value, str):
                    value = decode_value(key, value)
                decoded.params[key] = value
        return decoded
    form = await request.post()
    for key, item in form.items():
        if isinstance(item, FileField):
            decoded.uploads[key] = Upload(
                filename=item.filename or key,
                content=item.file.read(),
                content_type=item.content_type,
            )
        elif isinstance(item, (bytes, bytearray)):
            decoded.params[key] = decode_value(key, bytes(item).decode("utf-8", "replace"))
        else:
            decoded.params[key] = decode_value(key, str(item))
    return decoded


def ok_payload(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def as_bool(value: Any) -> bool:
    """Telegram accepts true/false, 1/0 and their string forms for booleans."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def as_int(value: Any, name: str) -> int:
    """Coerce an integer parameter or fail like Telegram does."""
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None

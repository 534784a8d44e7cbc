"""Bot API methods that do not create messages: identity, updates, commands,
callback answers, files and chat actions."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from .validation import check_commands, require
from .webhook import refuse_while_active
from .wire import DecodedRequest, as_bool, as_int, bad_request

if TYPE_CHECKING:
    from .server import FakeTelegram

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files for bots

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


def scope_key(scope: dict[str, Any] | None) -> str:
    """Canonical JSON of a BotCommandScope; key of ``FakeTelegram.commands``."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))


async def get_me(srv: FakeTelegram, req: DecodedRequest) -> Any:
    return {
        **srv.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(srv: FakeTelegram, req: DecodedRequest) -> Any:
    refuse_while_active(srv)
    params = req.params
    offset = params.get("offset")
    allowed = params.get("allowed_updates")
    return await srv.updates.poll(
        offset=None if offset is None else as_int(offset, "offset"),
        limit=as_int(params.get("limit", 100), "limit"),
        wait=0.0 if srv.ignore_timeout else float(params.get("timeout") or 0),
        allowed_updates=allowed if isinstance(allowed, list) else None,
    )


def _scope_and_language(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope")
    if scope is not None and (not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES):
        raise bad_request("can't parse BotCommandScope")
    if isinstance(scope, dict) and scope.get("type", "").startswith("chat"):
        if "chat_id" not in scope:
            raise bad_request("chat_id is empty")
        # Normalise "123" vs 123 so lookups by key are predictable.
        scope = {**scope, "chat_id": srv_chat_id(scope["chat_id"])}
    language = str(params.get("language_code") or "")
    if language and not (len(language) == 2 and language.isalpha()):
        raise bad_request("invalid language code specified")
    return scope_key(scope), language


def srv_chat_id(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


async def set_my_commands(srv: FakeTelegram, req: DecodedRequest) -> Any:
    commands = check_commands(require(req.params, "commands"))
    srv.commands[_scope_and_language(req.params)] = commands
    return True


async def get_my_commands(srv: FakeTelegram, req: DecodedRequest) -> Any:
    return list(srv.commands.get(_scope_and_language(req.params), []))


async def delete_my_commands(srv: FakeTelegram, req: DecodedRequest) -> Any:
    srv.commands.pop(_scope_and_language(req.params), None)
    return True


async def answer_callback_query(srv: FakeTelegram, req: DecodedRequest) -> Any:
    params = req.params
    query_id = str(require(params, "callback_query_id"))
    record = srv.store.callbacks.get(query_id)
    now = time.monotonic()
    if record is None or record.answered_at is not None or now - record.pushed_at > srv.callback_timeout:
        raise bad_request(QUERY_TOO_OLD)
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered_at = now
    record.answer = {
        "query_id": query_id,
        "text": text,
        "show_alert": as_bool(params.get("show_alert", False)),
        "url": params.get("url"),
        "cache_time": params.get("cache_time"),
        "delay": now - record.pushed_at,
    }
    return True


async def get_file(srv: FakeTelegram, req: DecodedRequest) -> Any:
    stored = srv.store.files.get(str(require(req.params, "file_id")))
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.content) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.as_file()


_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)


async def get_chat_member(srv: FakeTelegram, req: DecodedRequest) -> Any:
    """Status of a user in a group (``srv.store.members``); anyone else has ``left``."""
    chat_id = srv.resolve_chat(req.params.get("chat_id"))
    user_id = as_int(require(req.params, "user_id"), "user_id")
    user = srv.store.users.get(user_id)
    if user is None:
        raise bad_request("PARTICIPANT_ID_INVALID")
    status = srv.store.members.get((chat_id, user_id), "left")
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, False))
    elif status == "kicked":
        member["until_date"] = 0
    return member


async def send_chat_action(srv: FakeTelegram, req: DecodedRequest) -> Any:
    srv.target_chat(req.params)
    if req.params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


async def accept(srv: FakeTelegram, req: DecodedRequest) -> Any:
    """Profile setters the fake does not model; Telegram answers ``true``."""
    return True


HANDLERS = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "getChatMember": get_chat_member,
    "sendChatAction": send_chat_action,
    "setMyDescription": accept,
    "setMyShortDescription": accept,
    "setMyName": accept,
    "setChatMenuButton": accept,
}

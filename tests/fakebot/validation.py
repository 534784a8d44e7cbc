"""Telegram's content rules: text length, parse modes, keyboards, commands.

Each failure raises :class:`ApiError` with the description Telegram uses, so
the bot under test sees exactly the exception it would see in production.
"""

from __future__ import annotations

import re
from typing import Any

from .html_check import HtmlError, parse_html
from .wire import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100

# Inline button fields that give a button its action; exactly one is required.
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def render_text(
    text: Any,
    parse_mode: Any,
    entities: Any,
    *,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse text/caption like Telegram; return (visible text, entities).

    Limits apply to the visible text after entity parsing, which is why tags
    do not count toward the 4096 characters.
    """
    limit = MAX_CAPTION if caption else MAX_TEXT
    raw = "" if text is None else str(text)
    mode = str(parse_mode or "").strip().lower()
    if mode == "html":
        try:
            visible, parsed = parse_html(raw)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode in ("", "markdown", "markdownv2"):
        # Markdown is not validated; explicit entities pass through untouched.
        visible = raw
        parsed = list(entities) if isinstance(entities, list) else []
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!s}")
    if len(visible) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    if not caption and not visible.strip():
        raise bad_request("message text is empty")
    return visible, parsed


def check_reply_markup(markup: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Validate reply_markup; return (inline markup or None, other markup or None).

    Only inline keyboards are part of the Message object Telegram returns;
    reply keyboards / remove / force_reply are kept separately.
    """
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _check_inline(markup), None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup should be an Array')
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return None, markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return None, markup
    raise bad_request('can\'t find field "inline_keyboard"')


def _check_inline(markup: dict[str, Any]) -> dict[str, Any] | None:
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    total = 0
    for row in rows:
        for button in row:
            total += 1
            _check_button(button)
    if total > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    if total == 0:
        return None  # an empty inline keyboard means "no keyboard"
    return {"inline_keyboard": [list(row) for row in rows if row]}


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton expected")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(str(data).encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = str(button["url"])
        if not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")


def check_commands(commands: Any) -> list[dict[str, Any]]:
    """Validate setMyCommands' list of BotCommand."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_BUTTONS:
        raise bad_request("too many commands specified")
    result = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand")
        command = str(item.get("command", ""))
        description = str(item.get("description", ""))
        if not _COMMAND_RE.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request(
                "command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID"
            )
        result.append({"command": command, "description": description})
    return result


def require(params: dict[str, Any], name: str) -> Any:
    """Fetch a mandatory parameter or fail with Telegram's wording."""
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    return value


__all__ = [
    "ApiError",
    "check_commands",
    "check_reply_markup",
    "render_text",
    "require",
]

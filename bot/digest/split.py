"""Split HTML into Telegram-sized messages without ever cutting inside a tag or an entity.

:func:`pack` puts whole blocks (paragraphs) into messages; only a block longer than a whole
message goes through :func:`split_html`, which cuts at a line break or a space when it can,
closes the tags open at the cut and reopens them at the start of the next part, so every part
is valid HTML on its own. Lengths are measured on the raw HTML, which is never shorter than
the text Telegram counts, so a part within the limit here is within Telegram's limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TELEGRAM_LIMIT = 4096
BLOCK_GAP = "\n\n"
_TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]+|[<&]")
_TAG = re.compile(r"<\s*(/)?\s*([a-zA-Z-]+)[^>]*>")


def pack(blocks: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join blocks with blank lines into as few messages as fit ``limit`` each."""
    parts: list[str] = []
    current = ""
    for block in (b.strip() for b in blocks):
        if not block:
            continue
        joined = f"{current}{BLOCK_GAP}{block}" if current else block
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            parts.append(current)
        if len(block) <= limit:
            current = block
        else:
            *full, current = split_html(block, limit)
            parts.extend(full)
    if current:
        parts.append(current)
    return parts


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most ``limit`` characters, each with balanced tags."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, the opening tag as written)
    current = ""
    prefix = 0  # length of the reopened tags at the start of ``current``

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stack))

    def room() -> int:
        return limit - len(current) - len(closing())

    def flush() -> None:
        nonlocal current, prefix
        parts.append(current.rstrip() + closing())
        current = "".join(tag for _, tag in stack)
        prefix = len(current)
        if prefix * 2 > limit:
            raise ValueError("tags nest too deep to split")

    for token in _TOKEN.findall(text):
        tag = _TAG.fullmatch(token)
        if tag is not None or (token.startswith("&") and token.endswith(";")):
            opening = tag is not None and not tag.group(1) and not token.endswith("/>")
            need = len(token) + (len(f"</{tag.group(2)}>") if opening and tag else 0)
            if need > room() and len(current) > prefix:
                flush()
            current += token
            if tag is not None:
                name = tag.group(2).lower()
                if opening:
                    stack.append((name, token))
                elif tag.group(1) and stack and stack[-1][0] == name:
                    stack.pop()
            continue
        while token:
            space = room()
            if len(token) <= space:
                current += token
                break
            cut = _cut_point(token[: space + 1])
            if cut == 0:
                if len(current) > prefix:
                    flush()
                    continue
                cut = max(space, 1)  # one unbreakable word longer than a message
            current += token[:cut]
            token = token[cut:].lstrip(" ")
            flush()
    if len(current) > prefix:
        parts.append(current.rstrip() + closing())
    return parts


def _cut_point(window: str) -> int:
    """Where to end a part inside ``window``: after a line break, else at a space; 0 if neither."""
    for sep in ("\n", " "):
        at = window.rfind(sep)
        if at > 0:
            return at + 1 if sep == "\n" else at
    return 0

"""Validation of ``parse_mode=HTML`` text, modelled on Telegram's parser.

Telegram accepts only a handful of tags and refuses the whole message when
the markup is broken.  The fake is deliberately *stricter* than Telegram
about bare ``<``, ``>`` and ``&``: Telegram silently keeps some of them, but
in a bot they almost always mean user-supplied text was interpolated without
``html.escape`` - exactly the bug these tests must catch.

``parse_html`` returns the visible text (what Telegram stores and counts for
the 4096 limit) plus MessageEntity dicts with UTF-16 offsets, as Telegram does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# tag -> MessageEntity type
TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]*));")
_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")


class HtmlError(ValueError):
    """Broken markup; ``str(err)`` is the text after ``can't parse entities: ``."""


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the visible text
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of MessageEntity offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, pos: int | None = None) -> int:
        return len(self.src[: self.pos if pos is None else pos].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len16 += utf16_len(text)

    def decode_entity(self, pos: int) -> tuple[str, int]:
        """Decode the character reference at ``pos``; return (char, end position)."""
        match = _ENTITY_RE.match(self.src, pos)
        if match:
            dec, hexa, name = match.groups()
            char: str | None = None
            if name is not None:
                char = NAMED_ENTITIES.get(name)
            else:
                code = int(dec, 10) if dec is not None else int(hexa, 16)
                if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    char = chr(code)
            if char is not None:
                return char, match.end()
        raise HtmlError(f'Unsupported HTML entity or unescaped "&" at byte offset {self.byte_offset(pos)}')

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "<":
                if src.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            elif ch == "&":
                char, self.pos = self.decode_entity(self.pos)
                self.emit(char)
            elif ch == ">":
                raise HtmlError(f'Unescaped ">" at byte offset {self.byte_offset()}')
            else:
                # Copy the run of ordinary characters in one go.
                end = self.pos
                while end < len(src) and src[end] not in "<>&":
                    end += 1
                self.emit(src[self.pos : end])
                self.pos = end
        if self.stack:
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return "".join(self.out), self.finish_entities()

    def start_tag(self) -> None:
        begin = self.pos
        match = _NAME_RE.match(self.src, begin + 1)
        if match is None:
            raise HtmlError(f"Unexpected end of name token at byte offset {self.byte_offset()}")
        name = match.group(0).lower()
        if name not in TAG_ENTITY:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        self.pos = match.end()
        attrs = self.read_attributes(name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HtmlError(
                f'Tag "tg-emoji" must have a valid "emoji-id" at byte offset {self.byte_offset(begin)}'
            )
        if name == "blockquote" and any(t.name == "blockquote" for t in self.stack):
            raise HtmlError(f"Blockquotes can't be nested at byte offset {self.byte_offset(begin)}")
        self.stack.append(_OpenTag(name, self.out_len16, attrs))

    def read_attributes(self, name: str, begin: int) -> dict[str, str]:
        src = self.src
        attrs: dict[str, str] = {}
        while True:
            while self.pos < len(src) and src[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(src):
                raise HtmlError(f'Unclosed start tag "{name}" at byte offset {self.byte_offset(begin)}')
            if src[self.pos] == ">":
                self.pos += 1
                return attrs
            match = _ATTR_NAME_RE.match(src, self.pos)
            if match is None:
                raise HtmlError(
                    f'Empty attribute name in the tag "{name}" at byte offset {self.byte_offset()}'
                )
            attr = match.group(0).lower()
            self.pos = match.end()
            if self.pos < len(src) and src[self.pos] == "=":
                self.pos += 1
                attrs[attr] = self.read_attr_value(name, begin)
            else:
                attrs[attr] = ""  # e.g. <blockquote expandable>

    def read_attr_value(self, name: str, begin: int) -> str:
        src = self.src
        if self.pos < len(src) and src[self.pos] in "\"'":
            quote = src[self.pos]
            end = src.find(quote, self.pos + 1)
            if end < 0:
                raise HtmlError(f'Unclosed start tag "{name}" at byte offset {self.byte_offset(begin)}')
            raw = src[self.pos + 1 : end]
            self.pos = end + 1
        else:
            end = self.pos
            while end < len(src) and not src[end].isspace() and src[end] != ">":
                end += 1
            raw = src[self.pos : end]
            self.pos = end
        return _decode_attr(raw)

    def end_tag(self) -> None:
        begin = self.pos
        close = self.src.find(">", begin)
        if close < 0:
            raise HtmlError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 2 : close].strip().lower()
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        top = self.stack[-1]
        if name != top.name:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.pos = close + 1
        length = self.out_len16 - top.offset
        # Telegram drops empty entities and links without a target.
        if length > 0 and not (top.name == "a" and not top.attrs.get("href")):
            self.entities.append(_entity(top, length))

    def finish_entities(self) -> list[dict[str, Any]]:
        # <pre><code class="language-x"> is one pre entity with a language.
        result = []
        pres = {(e["offset"], e["length"]): e for e in self.entities if e["type"] == "pre"}
        for ent in self.entities:
            pre = pres.get((ent["offset"], ent["length"]))
            if ent["type"] == "code" and pre is not None:
                if "language" in ent:
                    pre["language"] = ent["language"]
                continue
            if ent["type"] == "code":
                ent.pop("language", None)
            result.append(ent)
        result.sort(key=lambda e: (e["offset"], -e["length"]))
        return result


def _decode_attr(raw: str) -> str:
    def repl(match: re.Match[str]) -> str:
        dec, hexa, name = match.groups()
        if name is not None:
            return NAMED_ENTITIES.get(name, match.group(0))
        code = int(dec, 10) if dec is not None else int(hexa, 16)
        return chr(code) if 0 < code <= 0x10FFFF else match.group(0)

    return _ENTITY_RE.sub(repl, raw)


def _entity(tag: _OpenTag, length: int) -> dict[str, Any]:
    ent: dict[str, Any] = {"type": TAG_ENTITY[tag.name], "offset": tag.offset, "length": length}
    if tag.name == "a":
        ent["url"] = tag.attrs.get("href", "")
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        ent["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        ent["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif tag.name == "code" and tag.attrs.get("class", "").startswith("language-"):
        ent["language"] = tag.attrs["class"][len("language-") :]
    return ent


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (visible text, entities) or raise :class:`HtmlError`."""
    return _Parser(source).run()

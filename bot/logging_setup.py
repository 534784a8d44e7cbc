"""Logging, and the bot token scrubbed from everything the process prints.

Two layers, because a secret reaches the terminal by more paths than logging: uncaught
exceptions (``sys.excepthook``, ``threading.excepthook``), the asyncio loop's exception
handler, warnings and plain ``print`` all end in ``sys.stderr``/``sys.stdout``. Those two streams
are wrapped once (:func:`install_redaction`) and redact each complete line; the logging filter
also redacts the record itself, for handlers that do not write to those streams.

The token is matched as a whole and on its edges (``bot123:ABC/getMe`` is redacted, a
token ``1:x`` does not turn "Context" into "Conte***t"); its secret part alone only when it is
long enough to be unambiguous (Telegram's are 35 characters).

Database drivers log every statement with its parameters at DEBUG (aiosqlite) or, once enabled,
INFO (SQLAlchemy's engine and pool): those parameters hold webhook secrets, API data and
partners' text. :func:`quiet_libraries` keeps them at WARNING whatever the root level.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

MASK = "***"
MIN_SECRET_PART = 16
_TOKEN_CHAR = "A-Za-z0-9_-"


class Redactor:
    """Replaces the known secrets in a text with ``***``."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.pattern: re.Pattern[str] | None = None
        self.update(secrets)

    def update(self, secrets: Iterable[str | None]) -> None:
        """Redact these secrets from now on (a bot token, or other long secrets)."""
        parts: list[str] = []
        for secret in secrets:
            if not secret:
                continue
            number, colon, rest = secret.partition(":")
            if colon and number.isdigit():
                # Whole token: not glued to more digits before, nor to more token characters after.
                parts.append(rf"(?<!\d){re.escape(secret)}(?![{_TOKEN_CHAR}])")
                secret = rest
            if len(secret) >= MIN_SECRET_PART:
                parts.append(rf"(?<![{_TOKEN_CHAR}]){re.escape(secret)}(?![{_TOKEN_CHAR}])")
        # Longest first, so a token is replaced whole rather than its secret part alone.
        parts.sort(key=len, reverse=True)
        self.pattern = re.compile("|".join(parts)) if parts else None

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(MASK, text)


class RedactFilter(logging.Filter):
    """Redacts the final message text and the formatted traceback of a record."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redactor(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = self.redactor(text), None
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True


class RedactingStream(io.TextIOBase):
    """A text stream that redacts each complete line before passing it on.

    Lines are held until their newline, so a secret split over two ``write`` calls (``print``
    writes the text, then the newline) is still seen whole."""

    def __init__(self, target: TextIO, redactor: Redactor) -> None:
        super().__init__()
        self.target = target
        self.redactor = redactor
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        head, newline, tail = self._pending.rpartition("\n")
        if newline:
            self.target.write(self.redactor(head + newline))
            self._pending = tail
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.target.write(self.redactor(self._pending))
            self._pending = ""
        self.target.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:  # faulthandler and subprocess ask for it
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.target.encoding


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (the redacting wrapper), not to
    the stream of the moment it was made: ``main()`` called in-process (tests) must not leave
    the root logger writing to a stream that was closed since."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always the current sys.stderr


_redactor = Redactor()


def install_redaction(secrets: Iterable[str | None]) -> Redactor:
    """Redact ``secrets`` from stdout and stderr, whoever writes there; safe to call again."""
    _redactor.update(secrets)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, _redactor))
    return _redactor


# Loggers that write SQL parameters (secrets, partners' text) below WARNING.
PARAMETER_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "asyncpg")


def quiet_libraries(level: int) -> None:
    """Library loggers at ``level`` or above, and those that log SQL parameters at WARNING."""
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # aiogram logs a line per handled update: at campaign scale that drowns everything else
    # (and costs more CPU than some handlers). Failures still reach the log via our error handler.
    logging.getLogger("aiogram.event").setLevel(max(level, logging.WARNING))
    # Alembic (its plugins, "Context impl ...") and APScheduler ("Adding job tentatively", "Added
    # job ...") log lines at every start that say nothing an operator acts on; their warnings stay.
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))


def setup_logging(token: str | None, level: int = logging.INFO) -> None:
    """Configure root logging once; the token never reaches a handler, nor the terminal."""
    redactor = install_redaction([token])
    handler = CurrentStderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter(redactor))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # warnings become log records, redacted like the rest
    quiet_libraries(level)

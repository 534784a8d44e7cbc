"""Logging with the bot token scrubbed from every record, whoever logs it."""

from __future__ import annotations

import logging


class RedactFilter(logging.Filter):
    """Replaces secrets in the final message text with ``***``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for s in self.secrets:
                message = message.replace(s, "***")
            record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(s in text for s in self.secrets):
                for s in self.secrets:
                    text = text.replace(s, "***")
                record.exc_text, record.exc_info = text, None
        return True


def setup_logging(token: str, level: int = logging.INFO) -> None:
    """Configure root logging once; the token never reaches a handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter([token, token.partition(":")[2]]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs a line per handled update: at campaign scale that drowns everything else
    # (and costs more CPU than some handlers). Failures still reach the log via our error handler.
    logging.getLogger("aiogram.event").setLevel(max(level, logging.WARNING))

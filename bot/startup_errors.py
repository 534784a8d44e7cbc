"""Start-up failures as one line naming the setting and what to do (``nps-bot: ...``).

What reaches here is what the process cannot mend by waiting: a database it cannot reach or
create. (Telegram unreachable is retried line by line by bot/startup.py; a rejected token and
bad settings have their own lines.)
"""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url


class DatabaseUnavailable(Exception):
    """The database could not be reached or created; the message is the line to print."""


def _reason(exc: BaseException) -> str:
    inner = exc
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
    if isinstance(orig, BaseException):
        inner = orig
    if isinstance(inner, ConnectionRefusedError) or "Connect call failed" in str(inner):
        return "connection refused"
    if isinstance(inner, socket.gaierror):
        return "unknown host"
    if isinstance(inner, TimeoutError):
        return "timed out"
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    text = " ".join(str(inner).split()) or type(inner).__name__
    return text.split("\n", 1)[0][:200]


def database_line(url: str, exc: BaseException) -> str:
    """The one line for a database that cannot be used (no password is ever printed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        return (
            f"cannot create or open the database file {path} (DATABASE_URL): {_reason(exc)}; "
            "point DATABASE_URL at a file in a folder this user can write"
        )
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return (
        f"cannot reach the database at {where} (DATABASE_URL, database {parsed.database!r}): "
        f"{_reason(exc)}; check that PostgreSQL runs there and DATABASE_URL's host, port, user "
        "and password are right"
    )

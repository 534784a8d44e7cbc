"""HOOKS_FILE: webhook endpoints declared by the deployment (TOML), applied at start-up.

    [[hooks]]
    url = "https://crm.example.com/nps"
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"   # or secret_env = "CRM_HOOK_SECRET"
    events = ["response.*", "partner.erased"]          # optional: every event
    allow_private = false                               # true: a receiver in a private network

The file's endpoints are made exactly these (matched by URL) each time the worker starts;
endpoints added with /hook_add are left alone. A bad file stops start-up with one line naming
the problem (like a bad setting); the secret is never part of that line.
"""

from __future__ import annotations

import base64
import binascii
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from bot.hooks.guard import url_problem
from storage.repo.hook_endpoints import FileEndpoint, parse_events

_KEYS = {"url", "secret", "secret_env", "events", "allow_private"}


class HooksFileError(Exception):
    """HOOKS_FILE cannot be used; the message is one line."""


def check_secret(secret: str) -> bool:
    """A Standard Webhooks secret: ``whsec_`` and base64 of 24 to 64 bytes."""
    if not secret.startswith("whsec_"):
        return False
    try:
        raw = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        return False
    return 24 <= len(raw) <= 64


def load(path: str, *, allow_http: bool, environ: Mapping[str, str] | None = None) -> list[FileEndpoint]:
    """The endpoints the file declares; HooksFileError when any entry is unusable."""
    env = os.environ if environ is None else environ
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise HooksFileError(f"HOOKS_FILE {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HooksFileError(f"HOOKS_FILE {path} is not valid TOML: {exc}") from None
    entries = data.get("hooks", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise HooksFileError(f"HOOKS_FILE {path}: expected [[hooks]] tables")
    found: list[FileEndpoint] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        where = f"HOOKS_FILE {path}, hook {n}"
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise HooksFileError(f"{where}: unknown key {unknown[0]!r}")
        url = entry.get("url")
        if not isinstance(url, str):
            raise HooksFileError(f"{where}: url is required")
        problem = url_problem(url, allow_http=allow_http)
        if problem is not None:
            raise HooksFileError(f"{where}: {problem}")
        if url in seen:
            raise HooksFileError(f"{where}: {url} is listed twice")
        seen.add(url)
        secret = entry.get("secret")
        if "secret_env" in entry:
            secret = env.get(str(entry["secret_env"]))
            if secret is None:
                raise HooksFileError(f"{where}: environment variable {entry['secret_env']} is not set")
        if not isinstance(secret, str) or not check_secret(secret):
            raise HooksFileError(f"{where}: secret must be whsec_ followed by base64 of 24-64 bytes")
        events = entry.get("events", ["*"])
        if isinstance(events, str):
            events = [events]
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            raise HooksFileError(f"{where}: events must be a list of event names")
        try:
            normalised = parse_events(events)
        except ValueError as exc:
            raise HooksFileError(f"{where}: unknown event {exc}") from None
        allow_private = entry.get("allow_private", False)
        if not isinstance(allow_private, bool):
            raise HooksFileError(f"{where}: allow_private must be true or false")
        found.append(FileEndpoint(url, secret, normalised, allow_private))
    return found

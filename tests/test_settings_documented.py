"""Every setting the code reads is in the README's configuration table and in .env.example, and
so is every variable the compose files read; nothing documented is a setting that does not exist.

A branch that adds a setting to bot/config.py (or reads a variable with ``os.environ``) without
documenting it fails here, naming it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import CommonSettings, Settings

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("bot", "storage", "scheduler", "deploy")
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.embedded.yml")
# The PostgreSQL image's own variables, fixed in docker-compose.yml (not the operator's to set).
POSTGRES_IMAGE = {"POSTGRES_USER", "POSTGRES_DB"}

_NAME = r"[A-Z][A-Z0-9_]{2,}"


def settings_names() -> set[str]:
    """The variables the settings classes read (pydantic-settings: field names, upper case)."""
    return {name.upper() for cls in (CommonSettings, Settings) for name in cls.model_fields}


def environ_names() -> set[str]:
    """Variables read directly with os.environ / os.getenv anywhere in the code."""
    pattern = re.compile(rf"""(?:environ\.get\(|environ\[|getenv\()\s*["']({_NAME})["']""")
    found: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def readme_names() -> set[str]:
    """Names in the first column of the tables of the README's "Configuration" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first = line.split("|")[1]
            names.update(re.findall(rf"`({_NAME})`", first))
    return names


def env_example_names() -> set[str]:
    """Names assigned in .env.example, commented out or not."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(rf"(?m)^#?\s*({_NAME})=", text))


def compose_names() -> tuple[set[str], set[str]]:
    """(variables substituted from the environment/.env, keys set in services' environment)."""
    substituted: set[str] = set()
    keys: set[str] = set()
    for name in COMPOSE_FILES:
        text = (ROOT / name).read_text(encoding="utf-8")
        code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        substituted.update(re.findall(rf"\$\{{({_NAME})", code))
        keys.update(re.findall(rf"(?m)^\s+({_NAME}):", code))
    return substituted, keys


def test_every_setting_is_documented() -> None:
    wanted = settings_names() | environ_names()
    assert not wanted - readme_names(), (
        f"missing from README's configuration table: {sorted(wanted - readme_names())}"
    )
    assert not wanted - env_example_names(), (
        f"missing from .env.example: {sorted(wanted - env_example_names())}"
    )


def test_every_compose_variable_is_documented() -> None:
    substituted, keys = compose_names()
    documented = readme_names() & env_example_names()
    assert not substituted - documented, f"compose variables undocumented: {sorted(substituted - documented)}"
    unknown = keys - documented - POSTGRES_IMAGE
    assert not unknown, f"compose sets variables nothing documents (typo?): {sorted(unknown)}"


def test_nothing_documented_is_made_up() -> None:
    real = settings_names() | environ_names() | compose_names()[0] | compose_names()[1]
    assert not readme_names() - real, f"README documents unknown settings: {sorted(readme_names() - real)}"
    assert not env_example_names() - real, (
        f".env.example names unknown settings: {sorted(env_example_names() - real)}"
    )

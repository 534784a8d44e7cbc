"""Start-up settings: a bad or missing setting is one clear line, never a traceback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.logging_setup import RedactFilter

ROOT = Path(__file__).resolve().parents[1]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k.upper()
        not in {"BOT_TOKEN", "ADMIN_IDS", "DATABASE_URL", "TIMEZONE", "DEFAULT_LOCALE", "MANAGER_CHAT_ID"}
    }
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "BOT_TOKEN is required but not set"),
        ({"BOT_TOKEN": "nonsense"}, "BOT_TOKEN is invalid"),
        ({"BOT_TOKEN": "1:abc", "ADMIN_IDS": "12,bob"}, "ADMIN_IDS is invalid"),
        ({"BOT_TOKEN": "1:abc", "TIMEZONE": "Mars/Olympus"}, "TIMEZONE is invalid"),
        ({"BOT_TOKEN": "1:abc", "DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE is invalid"),
        ({"BOT_TOKEN": "1:abc", "MANAGER_CHAT_ID": "group"}, "MANAGER_CHAT_ID is invalid"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_env_file_and_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("BOT_TOKEN", "ADMIN_IDS", "DATABASE_URL", "TIMEZONE", "DEFAULT_LOCALE"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / ".env").write_text("BOT_TOKEN=42:from-dotenv\nADMIN_IDS=1, 2;3\nTIMEZONE=Europe/Moscow\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.bot_token.get_secret_value() == "42:from-dotenv"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.database_url == "sqlite+aiosqlite:///data/nps.db"
    assert settings.default_locale == "ru" and settings.manager_chat_id is None
    assert "from-dotenv" not in repr(settings)


def test_missing_token_message() -> None:
    with pytest.raises(SettingsError, match="BOT_TOKEN is required"):
        load_settings(_env_file=None)


def test_token_is_scrubbed_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    token = "987654:SECRET-abc"
    logger = logging.getLogger("tokentest")
    flt = RedactFilter([token, token.split(":")[1]])
    record = logger.makeRecord(
        "tokentest",
        logging.ERROR,
        __file__,
        1,
        "GET https://api.telegram.org/bot%s/getMe failed",
        (token,),
        None,
    )
    flt.filter(record)
    assert token not in record.getMessage() and "SECRET-abc" not in record.getMessage()
    assert "***" in record.getMessage()

"""Start-up settings: a bad or missing setting is one clear line, never a traceback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, SettingsError, load_common_settings, load_settings
from bot.logging_setup import RedactFilter, Redactor
from tests.conftest import MakeSettings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "csv"
# Every variable a setting reads: a developer's exported BOT_TOKEN must not change any result.
SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields)


@pytest.fixture(autouse=True)
def _no_settings_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper() in SETTING_NAMES:
            monkeypatch.delenv(key)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "BOT_TOKEN is required but not set"),
        ({"BOT_TOKEN": "nonsense"}, "BOT_TOKEN is invalid"),
        ({"BOT_TOKEN": "123:abc def"}, "BOT_TOKEN is invalid"),
        ({"BOT_TOKEN": "1:abc", "ADMIN_IDS": "12,bob"}, "ADMIN_IDS is invalid"),
        ({"BOT_TOKEN": "1:abc", "TIMEZONE": "Mars/Olympus"}, "TIMEZONE is invalid"),
        ({"BOT_TOKEN": "1:abc", "DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE is invalid"),
        ({"BOT_TOKEN": "1:abc", "MANAGER_CHAT_ID": "group"}, "MANAGER_CHAT_ID is invalid"),
        ({"BOT_TOKEN": "1:abc", "DATABASE_URL": "notaurl"}, "DATABASE_URL is invalid: not a database URL"),
        ({"BOT_TOKEN": "1:abc", "DATABASE_URL": "sqlite:///x.db"}, "use sqlite+aiosqlite://"),
        ({"BOT_TOKEN": "1:abc", "DATABASE_URL": "postgresql://u@h/db"}, "use postgresql+asyncpg://"),
        ({"BOT_TOKEN": "1:abc", "DATABASE_URL": "mysql+aiomysql://u@h/db"}, "'aiomysql' is not installed"),
        ({"BOT_TOKEN": "1:abc", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is invalid: unknown database"),
        ({"BOT_TOKEN": "1:abc", "DIGEST_CRON": "every monday"}, "DIGEST_CRON is invalid"),
        ({"BOT_TOKEN": "1:abc", "QUARTERLY_CRON": "0 11 1-7"}, "QUARTERLY_CRON is invalid"),
        ({"BOT_TOKEN": "1:abc", "TELEGRAM_API_URL": "notaurl"}, "TELEGRAM_API_URL is invalid"),
        ({"BOT_TOKEN": "1:abc", "TELEGRAM_API_URL": "http://h:99999"}, "TELEGRAM_API_URL is invalid"),
        ({"BOT_TOKEN": "1:abc", "WEBHOOK_URL": "http://bot.example.com/"}, "WEBHOOK_URL is invalid"),
        ({"BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://bot.example.com/"}, "WEBHOOK_SECRET is required"),
        ({"BOT_TOKEN": "1:abc", "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET is invalid"),
        ({"BOT_TOKEN": "1:abc", "WEB_PORT": "99999"}, "WEB_PORT is invalid"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    result = _run(tmp_path, "run", **env)
    assert result.returncode == 2
    _one_line(result, expected)
    assert not (tmp_path / "data").exists()  # checked before the database is touched


def test_commands_that_never_talk_to_telegram_run_without_a_token(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'offline.db'}"
    assert _run(tmp_path, "migrate", DATABASE_URL=db).returncode == 0
    imported = _run(tmp_path, "import-partners", str(DATA / "partners_bad_rows.csv"), DATABASE_URL=db)
    assert imported.returncode == 0, imported.stderr
    exported = _run(tmp_path, "export", "--out", str(tmp_path / "answers.csv"), DATABASE_URL=db)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "answers.csv").exists()
    assert _run(tmp_path, "export", "--out", "x.csv", DATABASE_URL="notaurl").returncode == 2


def test_export_to_an_unwritable_path_is_one_line(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'offline.db'}"
    result = _run(tmp_path, "export", "--out", "/proc/x.csv", DATABASE_URL=db)
    assert result.returncode == 1
    # Alembic's INFO lines aside (the migration runs first), the only line says what failed.
    lines = [line for line in result.stderr.splitlines() if line.strip() and " INFO " not in line]
    assert lines == [lines[0]] and lines[0].startswith("nps-bot: cannot write /proc/x.csv: "), result.stderr


def test_env_file_and_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    assert load_common_settings(_env_file=None).database_url.startswith("sqlite+aiosqlite")


def test_token_is_scrubbed_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    token = "987654:SECRET-abc"
    logger = logging.getLogger("tokentest")
    flt = RedactFilter(Redactor([token]))
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


@pytest.mark.parametrize("bad", ["0", "-1", "many"])
def test_a_bad_db_pool_size_is_refused(make_settings: MakeSettings, bad: str) -> None:
    with pytest.raises(ValidationError, match="db_pool_size"):
        make_settings(db_pool_size=bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://nps.example.com/", "https://nps.example.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9000/", "http://localhost:9000"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("", None),
    ],
)
def test_public_url_is_https_or_loopback(
    make_settings: MakeSettings, value: str, expected: str | None
) -> None:
    assert make_settings(public_url=value).public_url == expected


@pytest.mark.parametrize(
    "value",
    [
        "http://nps.example.com",
        "http://10.0.0.5:8080",
        "ftp://nps.example.com",
        "nps.example.com",
        "https://x/?a=1",
    ],
)
def test_public_url_refuses_plain_http_to_the_world(value: str) -> None:
    with pytest.raises(SettingsError, match="PUBLIC_URL is invalid"):
        load_settings(bot_token="1:abc", public_url=value, _env_file=None)


@pytest.mark.parametrize("value", ["ab", "my app", "x" * 31, "имя"])
def test_miniapp_name_is_botfathers_short_name(value: str) -> None:
    with pytest.raises(SettingsError, match="MINIAPP_NAME is invalid"):
        load_settings(bot_token="1:abc", miniapp_name=value, _env_file=None)

"""Settings from the environment and an optional ``.env``; built once in ``main()``.

Everything is validated here, before the database is touched: a bad value stops start-up with
one line naming the variable (``nps-bot: configuration error: DATABASE_URL is invalid: ...``).
:class:`CommonSettings` is what commands that never talk to Telegram need (``migrate``,
``import-partners``, ``export``): they run without ``BOT_TOKEN``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from storage.db import PG_POOL_SIZE

TELEGRAM_API_URL = "https://api.telegram.org"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token
_API_TOKEN = re.compile(r"[!-~]{16,256}")  # printable ASCII, no spaces: fits an HTTP header


# Telegram's tokens: the bot's id, a colon, then 35 of these (never a space).
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
# A Mini App's short name as BotFather's /newapp accepts it.
_APP_NAME = re.compile(r"[A-Za-z0-9_]{3,30}")
# Drivers the bot is tested with, suggested when a URL names a synchronous one.
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


class CommonSettings(BaseSettings):
    """Every knob but the token; names match the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_api_url: str = TELEGRAM_API_URL
    database_url: str = "sqlite+aiosqlite:///data/nps.db"
    # PostgreSQL connections per process (storage/db.py says why so few); SQLite ignores it.
    db_pool_size: int = Field(PG_POOL_SIZE, ge=1, le=100)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    manager_chat_id: int | None = None
    default_locale: str = "ru"
    timezone: str = "UTC"
    referral_url: str | None = None

    # campaigns (issue: campaigns at Telegram scale)
    min_days_between_surveys: int = Field(60, ge=0)
    send_rate: float = Field(25.0, gt=0, le=1000)
    # Messages/s Telegram allows the bot in all (every process together): replies and bulk.
    telegram_rate: float = Field(30.0, gt=0, le=1000)
    paid_broadcast: bool = False
    reminder_after_days: float = Field(3, ge=0)
    campaign_days: float = Field(14, gt=0)
    quarterly_campaign: bool = True
    quarterly_cron: str = "0 11 1-7 1,4,7,10 tue"

    # managers' insight
    min_group_size: int = Field(5, ge=1)
    anonymous_digests: bool = False
    weekly_digest: bool = True
    digest_cron: str = "0 9 * * mon"
    detractor_alert_delay_minutes: float = Field(15, ge=0)

    # comment themes: an install's own driver areas (storage/areas.py), read at start-up
    areas_file: str | None = None

    # signed webhooks out (bot/hooks): endpoints from a TOML file; plain http:// to loopback
    hooks_file: str | None = None
    hooks_allow_http: bool = False

    # webhook mode (nps-bot web / run behind a TLS reverse proxy); long polling when unset
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # Loopback by default: the HTTP API is not for the open internet; containers set 0.0.0.0.
    web_host: str = "127.0.0.1"
    web_port: int = Field(8080, ge=0, le=65535)
    # The HTTP API (bot/web/): off when unset; every /api/v1 request carries it as a Bearer token.
    api_token: SecretStr | None = None

    # managers' dashboard (a Telegram Mini App at PUBLIC_URL + /app/, bot/web/miniapp.py)
    public_url: str | None = None
    miniapp_name: str | None = None

    @field_validator("public_url", "miniapp_name", mode="before")
    @classmethod
    def _blank_url_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return check_public_url(value.strip())

    @field_validator("miniapp_name")
    @classmethod
    def _miniapp_name(cls, value: str | None) -> str | None:
        if value is not None and not _APP_NAME.fullmatch(value.strip()):
            raise ValueError(
                "must be the Mini App's short name from BotFather's /newapp (3-30 letters, digits, _)"
            )
        return value.strip() if value is not None else None

    @field_validator("webhook_url", "webhook_secret", "api_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters: letters, digits, _ and -")
        return value

    @field_validator("api_token")
    @classmethod
    def _api_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _API_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 16-256 characters without spaces (e.g. openssl rand -hex 32)")
        return value

    @model_validator(mode="after")
    def _secret_with_url(self) -> CommonSettings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError("must be comma-separated numeric Telegram user ids") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("manager_chat_id", "referral_url", "areas_file", "hooks_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("ru", "en"):
            raise ValueError("must be 'ru' or 'en'")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("quarterly_cron", "digest_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a 5-field crontab expression ({exc})") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value.strip())

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL, e.g. https://api.telegram.org")
        try:
            _ = parts.port
        except ValueError as exc:
            raise ValueError(f"has a bad port ({exc})") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    def is_admin(self, user_id: int | None) -> bool:
        """True when ``user_id`` may run admin commands."""
        return user_id is not None and user_id in self.admin_ids


class Settings(CommonSettings):
    """What ``nps-bot run`` needs: everything, and the bot token."""

    bot_token: SecretStr

    @field_validator("bot_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not _TOKEN.fullmatch(token):
            raise ValueError("does not look like a bot token (expected <digits>:<letters, digits, _ or ->)")
        return SecretStr(token)


def check_database_url(value: str) -> str:
    """An async SQLAlchemy URL whose driver is installed, else ValueError saying what to write."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError("not a database URL (e.g. sqlite+aiosqlite:///data/nps.db)") from None
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        raise ValueError(f"unknown database {url.drivername!r}") from None
    if not getattr(dialect, "is_async", False):
        better = _ASYNC_DRIVERS.get(url.get_backend_name(), "an async driver")
        raise ValueError(f"{url.drivername!r} is a synchronous driver; use {better}://...")
    try:
        dialect.import_dbapi()
    except ImportError:
        raise ValueError(f"its driver {url.get_driver_name()!r} is not installed") from None
    return value


def check_public_url(value: str) -> str:
    """PUBLIC_URL without its trailing slash: https://, or http:// for a loopback host only."""
    value = value.rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be the public https:// address of this server, e.g. https://bot.example.com")
    try:
        _ = parts.port
    except ValueError as exc:
        raise ValueError(f"has a bad port ({exc})") from None
    if parts.query or parts.fragment:
        raise ValueError("must have no ?query or #fragment")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ValueError("must be https:// (http:// only for a loopback address such as 127.0.0.1)")
    return value


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


S = TypeVar("S", bound=CommonSettings)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one clear line per bad variable."""
    return _load(Settings, overrides)


def load_common_settings(**overrides: object) -> CommonSettings:
    """Settings for commands that never talk to Telegram (``BOT_TOKEN`` not needed)."""
    return _load(CommonSettings, overrides)


def _load(kind: type[S], overrides: dict[str, object]) -> S:
    try:
        return kind(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else ""
            if not name:  # a rule across settings names them itself
                lines.append(str(err["msg"]).removeprefix("Value error, "))
            elif err["type"] == "missing":
                lines.append(f"{name} is required but not set")
            else:
                msg = str(err["msg"]).removeprefix("Value error, ")
                lines.append(f"{name} is invalid: {msg}")
        raise SettingsError("; ".join(lines)) from None

"""The service's configuration: one pydantic-settings class read from the environment."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_PATH = Path("data") / "nhacviec.db"
# Tokens copied from examples must not reach Telegram: refuse them at start-up.
PLACEHOLDER_SECRETS = {"changethis", "changeme", "your-token-here", "<token>", "TOKEN", "xxx"}


class Settings(BaseSettings):
    """Environment variables (names fixed: operators script them) and a .env file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str | None = Field(default=None, alias="TELEGRAM_API_BASE_URL")
    telegram_bot_username: str | None = Field(default=None, alias="TELEGRAM_BOT_USERNAME")
    zalo_bot_token: str | None = Field(default=None, alias="ZALO_BOT_TOKEN")
    zalo_api_base_url: str = Field(
        default="https://bot-api.zaloplatforms.com", alias="ZALO_API_BASE_URL"
    )
    # Zalo documents no rate, only a 429 "Quota exceeded": stay well below what it tolerates.
    zalo_messages_per_second: float = Field(default=5.0, gt=0, alias="ZALO_MESSAGES_PER_SECOND")
    # Set: Zalo pushes events to this public HTTPS URL (recommended); unset: long polling.
    zalo_webhook_url: str | None = Field(default=None, alias="ZALO_WEBHOOK_URL")
    # 8-256 characters Zalo echoes in X-Bot-Api-Secret-Token; a random one when unset.
    zalo_webhook_secret: str | None = Field(
        default=None, min_length=8, max_length=256, alias="ZALO_WEBHOOK_SECRET"
    )
    # Where the webhook endpoint listens (a reverse proxy forwards ZALO_WEBHOOK_URL to it).
    zalo_webhook_listen: str = Field(default="0.0.0.0:8443", alias="ZALO_WEBHOOK_LISTEN")
    # A reminder the preferred chat still refuses after this long goes to the person's other one.
    fallback_after: timedelta = Field(
        default=timedelta(minutes=30), alias="NHACVIEC_FALLBACK_AFTER"
    )
    database_url: str = Field(default=f"sqlite:///{DEFAULT_DATABASE_PATH}", alias="DATABASE_URL")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", alias="NHACVIEC_TIMEZONE")
    reminder_offsets: str = Field(default="7d,3d,1d,0d", alias="NHACVIEC_REMINDER_OFFSETS")
    # Coordinating ("phối hợp") and executing agencies' officers; empty or "none" turns off.
    support_offsets: str = Field(default="3d", alias="NHACVIEC_SUPPORT_OFFSETS")
    executor_offsets: str = Field(default="3d,0d", alias="NHACVIEC_EXECUTOR_OFFSETS")
    # After the deadline: a notice to the lead officers every so often, at most so many times.
    overdue_every: str = Field(default="3wd", alias="NHACVIEC_OVERDUE_EVERY")
    overdue_max: int = Field(default=5, ge=0, le=100, alias="NHACVIEC_OVERDUE_MAX")
    # Standing duties ("Thường xuyên"): weekly, monthly or quarterly, on the first working day.
    checkin_every: str = Field(default="monthly", alias="NHACVIEC_CHECKIN_EVERY")
    # More reminders than this due for one person at one moment go as one message.
    group_above: int = Field(default=3, ge=1, alias="NHACVIEC_GROUP_ABOVE")
    # The coordinators' weekly digest: weekday and local time (empty: the send window's start).
    digest_day: str = Field(default="mon", alias="NHACVIEC_DIGEST_DAY")
    digest_time: str = Field(default="", alias="NHACVIEC_DIGEST_TIME")
    # Officers' short Monday list of their agency's tasks due in the next two weeks.
    officer_weekly_list: bool = Field(default=True, alias="NHACVIEC_OFFICER_WEEKLY_LIST")
    send_window: str = Field(default="08:00-17:00", alias="NHACVIEC_SEND_WINDOW")
    working_days: str = Field(default="mon-fri", alias="NHACVIEC_WORKING_DAYS")
    tick_seconds: float = Field(default=5.0, gt=0, alias="NHACVIEC_TICK_SECONDS")
    # How long a claimed reminder stays reserved for one worker before another may retry it.
    lease_seconds: float = Field(default=60.0, gt=0, alias="NHACVIEC_LEASE_SECONDS")
    sample_plan: bool = Field(default=True, alias="NHACVIEC_SAMPLE_PLAN")
    # Threads that run use cases (database work, document parsing) off the event loop.
    handler_threads: int = Field(default=8, ge=1, le=64, alias="NHACVIEC_HANDLER_THREADS")
    # Coordinators confirm an officer's "done" before it counts as confirmed (false: no step).
    confirm_completion: bool = Field(default=True, alias="NHACVIEC_CONFIRM_COMPLETION")
    # DEBUG shows the libraries' bookkeeping too; the console demo shows warnings only.
    log_level: str = Field(default="INFO", alias="NHACVIEC_LOG_LEVEL")

    # Several processes: webhook mode (Telegram posts updates to this public HTTPS URL, which
    # a proxy forwards to TELEGRAM_WEBHOOK_LISTEN:TELEGRAM_WEBHOOK_PORT) instead of polling.
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_webhook_listen: str = Field(default="0.0.0.0", alias="TELEGRAM_WEBHOOK_LISTEN")
    telegram_webhook_port: int = Field(default=8443, alias="TELEGRAM_WEBHOOK_PORT")
    # Telegram allows a bot about 30 messages a second; processes sharing one token share it.
    telegram_max_per_second: float = Field(
        default=30.0, gt=0, le=30, alias="TELEGRAM_MAX_PER_SECOND"
    )

    @field_validator("telegram_bot_token", "zalo_bot_token", "zalo_webhook_url")
    @classmethod
    def _refuse_placeholder_token(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        if value.strip() in PLACEHOLDER_SECRETS:
            name = cls.model_fields[info.field_name].alias
            raise ValueError(f"{name} is a placeholder; set the value the platform gave")
        return value.strip()

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: str | None) -> str | None:
        # Telegram's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -.
        if value is None or not value.strip():
            return None
        if value.strip() in PLACEHOLDER_SECRETS:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is a placeholder; choose a random secret")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.strip()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -")
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        import logging

        if value.strip().upper() not in logging.getLevelNamesMapping():
            raise ValueError("NHACVIEC_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return value.strip().upper()

    @field_validator("fallback_after", mode="before")
    @classmethod
    def _parse_duration(cls, value):
        # Written like the reminder offsets: "30m", "2h", "90s"; a bare number is seconds.
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", value)
            if match is None:
                raise ValueError("NHACVIEC_FALLBACK_AFTER is a duration such as 30m, 2h or 90s")
            unit = {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]
            return timedelta(seconds=int(match.group(1)) * unit)
        return value

    @field_validator("zalo_webhook_url")
    @classmethod
    def _zalo_webhook_is_https(cls, value: str | None) -> str | None:
        # Zalo pushes only to HTTPS; plain HTTP is allowed on loopback for a local fake.
        if value is None:
            return None
        loopback = value.startswith(("http://127.0.0.1", "http://localhost"))
        if not value.startswith("https://") and not loopback:
            raise ValueError("ZALO_WEBHOOK_URL must be an https:// URL Zalo can reach")
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        # Operators paste Heroku-style URLs; SQLAlchemy needs the psycopg 3 driver named.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @model_validator(mode="after")
    def _check_schedule_settings(self) -> Settings:
        from schedules.calendar import (
            SendWindow,
            parse_interval,
            parse_role_offsets,
            period_start,
            working_days_from_setting,
        )
        from schedules.planning import parse_clock_time

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            # Not a ValueError by itself: pydantic would let it escape as a traceback.
            raise ValueError(
                f"NHACVIEC_TIMEZONE {self.timezone!r} is not a time zone, e.g. Asia/Ho_Chi_Minh"
            ) from error
        for offsets in (self.reminder_offsets, self.support_offsets, self.executor_offsets):
            parse_role_offsets(offsets)
        parse_interval(self.overdue_every)
        period_start(date(2000, 1, 3), self.checkin_every)
        working_days_from_setting(self.digest_day)
        parse_clock_time(self.digest_time)
        SendWindow.parse(self.send_window)
        working_days_from_setting(self.working_days)
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            # Without a secret anyone who finds the URL could post updates as any user.
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET")
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        """The people's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

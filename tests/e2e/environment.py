"""The environment an operator sets for a service under test: one place for every e2e file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def configure_service(monkeypatch: pytest.MonkeyPatch, folder: Path, **channel: str) -> str:
    """Point the service at a fresh SQLite file in `folder`, any hour and any day, a fast tick,
    plus the channel's variables (tokens, API URLs); returns the database URL."""
    database = f"sqlite:///{folder / 'nhacviec.db'}"
    for name, value in {
        **channel,
        "DATABASE_URL": database,
        "NHACVIEC_SEND_WINDOW": "00:00-24:00",
        "NHACVIEC_WORKING_DAYS": "all",
        "NHACVIEC_TICK_SECONDS": "0.2",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(folder)
    return database


def telegram_variables(fake) -> dict[str, str]:
    """The variables that point the Telegram channel at a fake Bot API server."""
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url}


def service_process_environment(fake, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a service started as its own process: this one's, the fake Bot API,
    any hour and any day, a fast tick, plus `extra`."""
    return {
        **os.environ,
        **telegram_variables(fake),
        "DATABASE_URL": database_url,
        "NHACVIEC_SEND_WINDOW": "00:00-24:00",
        "NHACVIEC_WORKING_DAYS": "all",
        "NHACVIEC_TICK_SECONDS": "0.3",
        **extra,
    }

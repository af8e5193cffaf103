"""The settings refuse what would fail later, and say which variable is wrong."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.cli import main as nhacviec
from bot.settings import PLACEHOLDER_SECRETS, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No operator variables or .env file from the machine running the tests."""
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "NHACVIEC_TIMEZONE",
        "NHACVIEC_REMINDER_OFFSETS",
        "NHACVIEC_SEND_WINDOW",
        "NHACVIEC_WORKING_DAYS",
        "NHACVIEC_TICK_SECONDS",
        "NHACVIEC_LEASE_SECONDS",
        "NHACVIEC_HANDLER_THREADS",
        "NHACVIEC_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("token", sorted(PLACEHOLDER_SECRETS))
def test_a_placeholder_token_is_refused(monkeypatch, token):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", f" {token} ")
    with pytest.raises(ValidationError, match="TELEGRAM_BOT_TOKEN is a placeholder"):
        Settings()


def test_a_blank_token_means_the_console_and_a_real_one_is_kept_trimmed(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "   ")
    assert Settings().telegram_bot_token is None
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", " 123:abc \n")
    assert Settings().telegram_bot_token == "123:abc"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/nv", "postgresql+psycopg://u:p@db:5432/nv"),
        ("postgresql://u:p@db/nv", "postgresql+psycopg://u:p@db/nv"),
        ("postgresql+psycopg://u:p@db/nv", "postgresql+psycopg://u:p@db/nv"),
        ("sqlite:///data/x.db", "sqlite:///data/x.db"),
    ],
)
def test_database_urls_get_the_psycopg_driver(monkeypatch, given, used):
    monkeypatch.setenv("DATABASE_URL", given)
    settings = Settings()
    assert settings.database_url == used
    assert settings.is_sqlite == used.startswith("sqlite")


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("NHACVIEC_REMINDER_OFFSETS", "7 ngày", "write a number and a unit"),
        ("NHACVIEC_REMINDER_OFFSETS", "1d,1d", "listed twice"),
        ("NHACVIEC_REMINDER_OFFSETS", " , ", "give at least one"),
        ("NHACVIEC_SEND_WINDOW", "17:00-08:00", "the end must come after the start"),
        ("NHACVIEC_SEND_WINDOW", "8h-17h", "HH:MM-HH:MM"),
        ("NHACVIEC_WORKING_DAYS", "mon-funday", "is not a day or a range of days"),
        ("NHACVIEC_TIMEZONE", "Asia/Hanoi_City", "is not a time zone"),
        ("NHACVIEC_TIMEZONE", "../etc/passwd", "is not a time zone"),
        ("NHACVIEC_TICK_SECONDS", "0", "greater than 0"),
        ("NHACVIEC_LEASE_SECONDS", "-5", "greater than 0"),
        ("NHACVIEC_HANDLER_THREADS", "0", "greater than or equal to 1"),
        ("NHACVIEC_LOG_LEVEL", "LOUD", "must be DEBUG, INFO, WARNING or ERROR"),
    ],
)
def test_bad_schedule_settings_are_refused_at_start(monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=says):
        Settings()


def test_the_command_names_the_wrong_setting_in_vietnamese(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "changeme")
    assert nhacviec(["migrate"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("Lỗi: Cấu hình không hợp lệ")
    assert "TELEGRAM_BOT_TOKEN" in error


def test_the_defaults_start_a_console_demo_on_sqlite():
    settings = Settings()
    assert settings.telegram_bot_token is None and settings.is_sqlite
    assert str(settings.zone) == "Asia/Ho_Chi_Minh"

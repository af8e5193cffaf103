"""Zalo's settings refuse what Zalo would refuse, and read durations as operators write them."""

from __future__ import annotations

from datetime import timedelta

import pydantic
import pytest

from bot.settings import Settings


def test_the_webhook_must_be_https_and_its_secret_8_to_256_characters():
    with pytest.raises(pydantic.ValidationError, match="https"):
        Settings(ZALO_WEBHOOK_URL="http://nhacviec.example.vn/zalo")
    with pytest.raises(pydantic.ValidationError):
        Settings(ZALO_WEBHOOK_SECRET="short")
    settings = Settings(ZALO_WEBHOOK_URL="https://nhacviec.example.vn/zalo")
    assert settings.zalo_webhook_url == "https://nhacviec.example.vn/zalo"


@pytest.mark.parametrize(
    ("written", "meant"),
    [("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("90", timedelta(seconds=90))],
)
def test_the_fallback_delay_is_written_like_the_offsets(written, meant):
    assert Settings(NHACVIEC_FALLBACK_AFTER=written).fallback_after == meant
    with pytest.raises(pydantic.ValidationError):
        Settings(NHACVIEC_FALLBACK_AFTER="half an hour")

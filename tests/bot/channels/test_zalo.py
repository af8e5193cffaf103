"""The Zalo channel's own rules: message length, event shapes, pacing after a 429."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bot.channels.text import TextChats
from bot.channels.zalo import MAX_TEXT, ZaloChannel, ZaloEvent, events_in, split_text
from core.clock import utcnow
from core.messages import Answer, Button
from db.engine import make_engine
from schedules.dispatch import RetryLater, Unreachable
from tests.fakes.zalo_api import FakeZalo


def test_long_texts_are_split_on_line_ends_within_the_limit():
    lines = [f"{number}. " + " ".join(["nhiệm vụ"] * 20) for number in range(1, 60)]
    parts = split_text("\n".join(lines))
    assert len(parts) > 1 and all(len(part) <= MAX_TEXT for part in parts)
    # Nothing lost, nothing cut inside a line.
    assert "\n".join(parts).split("\n") == lines


def test_a_single_line_longer_than_a_message_is_cut_at_a_space():
    parts = split_text("chữ " * 1000)
    assert all(len(part) <= MAX_TEXT for part in parts)
    assert " ".join(parts).split() == ["chữ"] * 1000


def test_events_come_wrapped_in_result_or_flat_one_or_many():
    event = {
        "event_name": "message.text.received",
        "message": {
            "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
            "from": {"id": "e4ea2cd5189df1c3a88c", "display_name": "Lan"},
            "text": "xong",
            "message_id": "16f6366b3f02645a3d15",
            "date": 1766619597466,
        },
    }
    assert events_in({"ok": True, "result": event}) == [event]
    assert events_in(event) == [event]
    assert events_in({"ok": True, "result": [event, event]}) == [event, event]
    assert events_in({"ok": True, "result": None}) == []
    parsed = ZaloEvent.parse(event)
    assert (parsed.chat_id, parsed.sender_name, parsed.text) == (
        "e4ea2cd5189df1c3a88c",
        "Lan",
        "xong",
    )
    assert ZaloEvent.parse({"message": {"text": "no chat"}}) is None


@pytest.fixture
def text_chats(sqlite_url):
    engine = make_engine(sqlite_url)
    yield TextChats(engine, utcnow)
    engine.dispose()


async def test_quota_exceeded_pauses_every_send_and_a_stranger_chat_is_unreachable(text_chats):
    async with FakeZalo(messages_per_second=2) as fake:
        channel = ZaloChannel(
            token=fake.token, text_chats=text_chats, base_url=fake.base_url, messages_per_second=100
        )
        # No start(): sending needs only the client.
        channel._client = httpx.AsyncClient()
        try:
            person = fake.user("Lan", has_written=True)
            await channel.send(person.chat_id, Answer(text="một"))
            await channel.send(person.chat_id, Answer(text="hai"))
            with pytest.raises(RetryLater) as refused:
                await channel.send(person.chat_id, Answer(text="ba"))
            assert refused.value.retry_after and channel.pacer.paused_until > time.monotonic()
            silent = fake.user("Chưa nhắn")
            channel.pacer.paused_until = 0
            await asyncio.sleep(1.0)
            with pytest.raises(Unreachable):
                await channel.send(silent.chat_id, Answer(text="xin chào"))
        finally:
            await channel._client.aclose()
    assert [message.text for message in fake.sent] == ["một", "hai"]
    assert ("sendMessage", 429, "Quota exceeded") in fake.refused


async def test_numbered_choices_survive_a_restart_and_a_bare_number_presses_one(sqlite_url):
    from core.messages import Incoming

    answer = Answer(
        text="Chọn nhiệm vụ",
        buttons=(Button("Nhiệm vụ 1", "st:1:done"), Button("Nhiệm vụ 2", "st:2:done")),
    )
    first = TextChats(make_engine(sqlite_url), utcnow)
    shown = await first.render("zalo", "abc", answer)
    assert shown.endswith("Trả lời bằng một số để chọn:\n1. Nhiệm vụ 1\n2. Nhiệm vụ 2")
    first.engine.dispose()

    after_restart = TextChats(make_engine(sqlite_url), utcnow)
    pressed = await after_restart.read(Incoming(channel="zalo", chat_id="abc", text="2"))
    assert (pressed.button_data, pressed.text) == ("st:2:done", "Nhiệm vụ 2")
    # Out of range, another chat, or a number with words: plain text as before.
    for chat_id, text in (("abc", "3"), ("other", "1"), ("abc", "2 xong")):
        unchanged = await after_restart.read(Incoming(channel="zalo", chat_id=chat_id, text=text))
        assert unchanged.button_data is None
    after_restart.engine.dispose()


async def test_choices_expire_after_a_day_and_events_are_forgotten_after_a_day(sqlite_url):
    from datetime import timedelta

    from core.messages import Incoming

    engine = make_engine(sqlite_url)
    now = utcnow()
    yesterday = TextChats(engine, lambda: now - timedelta(days=1, minutes=1))
    today = TextChats(engine, lambda: now)
    await yesterday.render("zalo", "abc", Answer(text="?", buttons=(Button("Có", "x:1"),)))
    assert (await today.read(Incoming(channel="zalo", chat_id="abc", text="1"))).button_data is None
    assert await yesterday.first_sighting("zalo", "m1")
    assert not await today.first_sighting("zalo", "m1")  # within a day: a duplicate
    await today.forget_old_events()
    assert await today.first_sighting("zalo", "m1")  # a day later the id is free again
    engine.dispose()


async def test_a_chart_goes_as_a_photo_with_a_public_url_else_the_text_says_where_to_find_it(
    text_chats,
):
    import socket

    from core.messages import FileUpload

    chart = FileUpload("tien-do.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2048)
    workbook = FileUpload("bao-cao.xlsx", b"PK\x03\x04 workbook")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def on_incoming(incoming):
        return []

    async with FakeZalo() as fake:
        person = fake.user("Minh", has_written=True)
        with_webhook = ZaloChannel(
            token=fake.token,
            text_chats=text_chats,
            base_url=fake.base_url,
            webhook_url=f"http://127.0.0.1:{port}/zalo/webhook",
            listen=f"127.0.0.1:{port}",
        )
        await with_webhook.start(on_incoming)
        try:
            await with_webhook.send(person.chat_id, Answer(text="📊 Tiến độ", attachment=chart))
            await with_webhook.send(person.chat_id, Answer(text="Báo cáo", attachment=workbook))
        finally:
            await with_webhook.stop()
        polling = ZaloChannel(
            token=fake.token, text_chats=text_chats, base_url=fake.base_url, poll_timeout=1
        )
        await polling.start(on_incoming)
        try:
            await polling.send(person.chat_id, Answer(text="📊 Tiến độ", attachment=chart))
        finally:
            await polling.stop()
    text, photo, report, text_only = fake.sent
    assert text.text == "📊 Tiến độ" and photo.photo == chart.data  # fetched from our URL
    assert report.text.startswith("Báo cáo") and "bao-cao.xlsx" in report.text
    assert "Telegram" in report.text
    assert text_only.photo is None and text_only.text.startswith("📊 Tiến độ")
    assert "tien-do.png" in text_only.text
    # The chart's path is random: no one can guess another report's address.
    sent_photo_urls = [payload["photo"] for method, payload in fake.calls if method == "sendPhoto"]
    assert len(sent_photo_urls) == 1 and len(sent_photo_urls[0].rsplit("/", 1)[1]) >= 24

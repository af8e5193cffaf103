"""An answer carrying a chart reaches Telegram as a photo with the text as its caption."""

from __future__ import annotations

from bot.channels.telegram import TelegramChannel
from core.messages import Answer, Button, Image
from tests.fakes.telegram_api import FakeTelegram


async def test_a_chart_is_sent_as_a_photo_and_a_long_text_follows_it():
    chart = Image("tien-do.png", b"\x89PNG\r\n\x1a\n" + b"0" * 512)
    async with FakeTelegram() as fake:
        person = fake.user(1001, "Minh")
        await person.send("/start")  # a chat the bot may write to
        channel = TelegramChannel(token=fake.token, base_url=fake.base_url)

        async def on_incoming(incoming):
            return []

        await channel.start(on_incoming)
        try:
            await channel.send("1001", Answer(text="📊 Tiến độ", image=chart))
            await channel.send(
                "1001",
                Answer(text="x" * 1500, image=chart, buttons=(Button("Tải Excel", "rp:xlsx"),)),
            )
        finally:
            await channel.stop()
        short, long_photo, long_text = fake.messages(1001)[-3:]
    assert short.photo.data == chart.data and short.caption == "📊 Tiến độ"
    assert long_photo.photo is not None and not long_photo.caption
    assert long_text.text == "x" * 1500 and long_text.buttons

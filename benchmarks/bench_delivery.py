"""Delivery through the real Telegram channel (python-telegram-bot) against the fake Bot API
enforcing Telegram's limits with 429s: 3,000 reminders due at once, ≥ 27 messages/s, 0 lost,
0 duplicates.

The fake answers 429 (retry_after) to any message beyond 30 a second overall or one a second
per chat; the channel's own pacing should keep it from ever having to.
Run: .venv/bin/python benchmarks/bench_delivery.py [--officers N] [--tasks N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.store import FIRST_CHAT, build_store, sqlite_engine, utc_now, verdict
from bot.channels.telegram import TelegramChannel
from handlers.render import render_reminder
from schedules.dispatch import Dispatcher, render_each
from tests.factories import ZONE, policy
from tests.fakes.telegram_api import FakeTelegram

TARGET = 27.0


async def _deliver(engine, fake: FakeTelegram, now, expected: int) -> tuple[float, int]:
    channel = TelegramChannel(token=fake.token, base_url=fake.base_url, receive="none")

    async def nobody_writes(incoming):
        return []

    await channel.start(nobody_writes)
    today = now.astimezone(ZONE).date()
    dispatcher = Dispatcher(
        engine=engine,
        policy_loader=lambda session: policy(window="00:00-24:00", working_days="all"),
        senders={"telegram": channel.send},
        render=render_each(
            lambda task, row, late: render_reminder(task, row, today=today, late=late)
        ),
        clock=utc_now,
        worker="bench",
    )
    try:
        started = time.perf_counter()
        sent = 0
        # Passes a short tick apart, as the service runs them: a reminder put back after a
        # refusal goes out in a later pass.
        while sent < expected and time.perf_counter() - started < 600:
            report = await dispatcher.run_once()
            sent += len(report.sent)
            if sent < expected:
                await asyncio.sleep(0.2)
        return time.perf_counter() - started, sent
    finally:
        await channel.stop()


def main() -> int:
    """Print messages/s, lost and duplicated beside the targets."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=1_000)
    parser.add_argument("--tasks", type=int, default=3)
    args = parser.parse_args()
    expected = args.officers * args.tasks
    now = utc_now()
    with tempfile.TemporaryDirectory() as folder, FakeTelegram() as fake:
        engine = sqlite_engine(Path(folder))
        build_store(
            engine,
            tasks=args.tasks,
            contacts=args.officers,
            reminders=expected,
            due=expected,
            now=now,
        )
        for number in range(args.officers):
            fake.user(FIRST_CHAT + number, f"Cán bộ {number + 1}")
        fake.enforce_rate_limits(per_second=30, per_chat_interval=1.0, group_per_minute=20)
        elapsed, recorded = asyncio.run(_deliver(engine, fake, now, expected))
        engine.dispose()
        calls = fake.calls("sendMessage")
    delivered = Counter(
        (call.params["chat_id"], call.params["text"].split("\n")[1])
        for call in calls
        if call.status == 200
    )
    refused = sum(1 for call in calls if call.status == 429)
    lost = expected - len(delivered)
    duplicates = sum(count - 1 for count in delivered.values())
    rate = sum(delivered.values()) / elapsed
    print(
        f"delivery via Telegram channel: {rate:.1f} messages/s ({sum(delivered.values()):,} "
        f"in {elapsed:.1f} s, {refused} answered 429) — target ≥ {TARGET:.0f}/s: "
        f"{verdict(rate, TARGET, higher_is_better=True)}"
    )
    print(f"delivery lost: {lost} — target 0: {'met' if lost == 0 else 'NOT MET'}")
    print(
        f"delivery duplicates: {duplicates} — target 0: {'met' if duplicates == 0 else 'NOT MET'}"
    )
    ok = rate >= TARGET and lost == 0 and duplicates == 0 and recorded == expected
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The service with 100,000 tasks in its store: resident memory after start-up (< 200 MB)
and the first answer after start (< 2 s).

`nhacviec run` starts against the fake Bot API with a person's message already waiting; the
first answer is timed from the process's start, memory is read from /proc once the start-up
re-plan has logged its line (or after --wait seconds).
Run: .venv/bin/python benchmarks/bench_service.py [--tasks N] [--wait S]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.store import build_store, sqlite_engine, utc_now, verdict
from schedules.calendar import Offset, SendWindow, WorkingCalendar, reminder_time
from tests.factories import ZONE
from tests.fakes.telegram_api import FakeTelegram

RSS_TARGET_MB = 200.0
FIRST_ANSWER_TARGET_S = 2.0
CONTACTS = 3
STRANGER = 4242


def _memory(pid: int) -> tuple[float, float]:
    """(resident, peak resident) in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> int:
    """Print resident memory and first-answer time beside their targets."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--wait", type=float, default=300.0)
    args = parser.parse_args()
    now = utc_now()
    due_day = (now + timedelta(days=60)).astimezone(ZONE).date()
    # The time planning gives the 3d offset, so the start-up re-plan finds every row planned.
    planned = reminder_time(
        due_day,
        Offset(3, "d"),
        calendar=WorkingCalendar(),
        window=SendWindow.parse("08:00-17:00"),
        tz=ZONE,
    )
    with tempfile.TemporaryDirectory() as folder, FakeTelegram() as fake:
        engine = sqlite_engine(Path(folder))
        build_store(
            engine,
            tasks=args.tasks,
            contacts=CONTACTS,
            reminders=args.tasks * CONTACTS,
            due=0,
            now=now,
            due_day=due_day,
            planned_at=planned,
        )
        url = str(engine.url)
        engine.dispose()
        person = fake.user(STRANGER, "Người lạ")
        person.send_nowait("/start")  # waiting before the service starts
        env = dict(
            os.environ,
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
            DATABASE_URL=url,
            NHACVIEC_REMINDER_OFFSETS="3d",
            NHACVIEC_LOG_LEVEL="INFO",
        )
        log_path = Path(folder) / "service.log"
        with log_path.open("wb") as log:
            started = time.monotonic()
            service = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                env=env,
                cwd=folder,
                stdout=log,
                stderr=log,
            )
        try:
            fake.wait_for_sync(lambda: fake.messages(STRANGER) or None, timeout=60)
            first_answer = fake.calls("sendMessage", chat_id=STRANGER)[0].at - started
            deadline = time.monotonic() + args.wait
            while "re-planned reminders" not in log_path.read_text(errors="replace"):
                if time.monotonic() > deadline or service.poll() is not None:
                    break
                time.sleep(0.5)
            replanned = "re-planned reminders" in log_path.read_text(errors="replace")
            settle = time.monotonic() - started
            time.sleep(1.0)
            rss, peak = _memory(service.pid)
        finally:
            service.terminate()
            service.wait(timeout=30)
    state = (
        f"after start-up ({settle:.0f} s)" if replanned else f"re-plan unfinished at {settle:.0f} s"
    )
    print(
        f"service RSS with {args.tasks:,} tasks {state}: {rss:.0f} MB (peak {peak:.0f} MB) — "
        f"target < {RSS_TARGET_MB:.0f} MB: {verdict(rss, RSS_TARGET_MB, higher_is_better=False)}"
    )
    print(
        f"first answer after start: {first_answer:.2f} s — target < {FIRST_ANSWER_TARGET_S:.0f} s: "
        f"{verdict(first_answer, FIRST_ANSWER_TARGET_S, higher_is_better=False)}"
    )
    return 0 if replanned and rss < RSS_TARGET_MB and first_answer < FIRST_ANSWER_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

"""The delivery pipeline with a channel that only records: ≥ 1,000 reminders/s on SQLite and
PostgreSQL with 100,000 tasks in the store.

Claim, render (the real Vietnamese reminder), "send", record: one `Dispatcher.run_once` until
every due reminder is recorded sent.
Run: .venv/bin/python benchmarks/bench_pipeline.py [--due N]
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

from sqlalchemy import func, select

from benchmarks.store import build_store, postgres_engine, sqlite_engine, utc_now, verdict
from core.messages import Answer
from db.engine import session_scope
from db.models import Reminder, ReminderState
from handlers.render import render_reminder
from schedules.dispatch import Dispatcher, render_each
from tests.factories import ZONE, policy

TARGET = 1_000.0
TASKS = 100_000
CONTACTS = 3


class RecordingChannel:
    """Accepts every message at once and keeps its chat."""

    def __init__(self) -> None:
        self.sent: Counter = Counter()

    async def send(self, chat_id: str, answer: Answer) -> str:
        self.sent[chat_id] += 1
        return str(sum(self.sent.values()))


def _measure(engine, *, due: int, label: str) -> bool:
    now = utc_now()
    build_store(
        engine, tasks=TASKS, contacts=CONTACTS, reminders=TASKS * CONTACTS, due=due, now=now
    )
    channel = RecordingChannel()
    today = now.astimezone(ZONE).date()

    def render(task, row, late):
        return render_reminder(task, row, today=today, late=late)

    dispatcher = Dispatcher(
        engine=engine,
        policy_loader=lambda session: policy(window="00:00-24:00", working_days="all"),
        senders={"telegram": channel.send},
        render=render_each(render),
        clock=utc_now,
        worker="bench",
    )
    started = time.perf_counter()
    report = asyncio.run(dispatcher.run_once())
    elapsed = time.perf_counter() - started
    with session_scope(engine) as session:
        sent = session.execute(
            select(func.count()).where(Reminder.state == ReminderState.SENT)
        ).scalar_one()
    rate = len(report.sent) / elapsed
    print(
        f"pipeline {label}: {rate:,.0f} reminders/s ({len(report.sent):,} of {due:,} due in "
        f"{elapsed:.1f} s, {sent:,} recorded sent; {TASKS:,} tasks, {TASKS * CONTACTS:,} "
        f"reminders in the store) — target ≥ {TARGET:,.0f}/s: "
        f"{verdict(rate, TARGET, higher_is_better=True)}"
    )
    return rate >= TARGET and sent == due == len(report.sent)


def main() -> int:
    """Print the pipeline's rate on SQLite and PostgreSQL beside the target."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--due", type=int, default=20_000)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        engine = sqlite_engine(Path(folder))
        ok &= _measure(engine, due=args.due, label="SQLite")
        engine.dispose()
    with postgres_engine() as engine:
        if engine is None:
            print("pipeline PostgreSQL: skipped (no server; set NHACVIEC_BENCH_POSTGRES_URL)")
        else:
            ok &= _measure(engine, due=args.due, label="PostgreSQL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

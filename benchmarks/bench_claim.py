"""Claiming a batch of due reminders with 1,000,000 pending and 100,000 due (target < 5 ms).

One claim is one statement (lease rows, oldest due first) plus one that checks the batch is
still wanted, as a delivery pass makes them after its first claim; between claims the batch is
marked sent, as the recorder would, outside the timing.
Run: .venv/bin/python benchmarks/bench_claim.py [--pending N] [--due N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update
from sqlmodel import col

from benchmarks.store import build_store, postgres_engine, sqlite_engine, utc_now, verdict
from db.engine import session_scope
from db.models import Reminder, ReminderState
from schedules.dispatch import Dispatcher, claim_due
from tests.factories import policy

TARGET_MS = 5.0
TASKS = 100_000
CONTACTS = 10


def _measure(engine, *, pending: int, due: int, label: str, rounds: int = 50) -> bool:
    now = utc_now()
    started = time.perf_counter()
    build_store(engine, tasks=TASKS, contacts=CONTACTS, reminders=pending, due=due, now=now)
    built = time.perf_counter() - started
    rules = policy(window="00:00-24:00", working_days="all")
    batch = Dispatcher.batch
    timings = []
    for number in range(rounds):
        with session_scope(engine) as session:
            began = time.perf_counter()
            count, claimed = claim_due(
                session,
                now=now,
                worker=f"bench-{number}",
                lease=timedelta(seconds=60),
                limit=batch,
                policy=rules,
                include_stale=False,
            )
            timings.append((time.perf_counter() - began) * 1000)
        assert count == batch and len(claimed) == batch, (count, len(claimed))
        with session_scope(engine) as session:
            session.execute(
                update(Reminder)
                .where(col(Reminder.id).in_([row.reminder_id for row in claimed]))
                .values(state=ReminderState.SENT, lease_until=None)
            )
    median = statistics.median(timings)
    p90 = sorted(timings)[int(len(timings) * 0.9)]
    print(
        f"claim {label}: {median:.2f} ms median, {p90:.2f} ms p90 per batch of {batch} "
        f"({pending:,} pending, {due:,} due; store built in {built:.0f} s) — target < "
        f"{TARGET_MS:.0f} ms: {verdict(median, TARGET_MS, higher_is_better=False)}"
    )
    return median < TARGET_MS


def main() -> int:
    """Print the claim time per batch on SQLite and PostgreSQL beside the target."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        engine = sqlite_engine(Path(folder))
        ok &= _measure(engine, pending=args.pending, due=args.due, label="SQLite")
        engine.dispose()
    with postgres_engine() as engine:
        if engine is None:
            print("claim PostgreSQL: skipped (no server; set NHACVIEC_BENCH_POSTGRES_URL)")
        else:
            ok &= _measure(engine, pending=args.pending, due=args.due, label="PostgreSQL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Planning at scale: a full re-plan of 100,000 tasks, and one task re-planned after a reply.

Each task has a lead, a coordinating and an executing agency, each with one subscribed
officer (three contacts per task), and one coordinator follows everything: every role's
offsets (lead 7d,3d,1d,0d; coordinating 3d; executing 3d,0d), the lead's five overdue
notices and the coordinator's escalation are planned: 13 rows per task. The full re-plan runs in a child process so that its peak
RSS is its own. Targets (issues 10 and 11): full re-plan < 60 s and < 500 MB peak RSS on
SQLite and on PostgreSQL; an incremental re-plan after one status change touches only that
task's rows, < 20 ms median.

    .venv/bin/python benchmarks/bench_planning.py [--tasks 100000] [--postgres URL|--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from db.engine import make_engine, migrate, session_scope  # noqa: E402
from db.models import (  # noqa: E402
    Agency,
    AgencyRole,
    Contact,
    ContactRole,
    Plan,
    Reminder,
    ReminderState,
    Task,
    TaskAgency,
    TaskStatus,
)
from db.tasks import record_status  # noqa: E402
from tests.factories import local, policy  # noqa: E402

NOW = local(2026, 6, 1, 9)
AGENCIES = 120
OFFICERS_PER_AGENCY = 1
FULL_TARGET_S, RSS_TARGET_MB, INCREMENTAL_TARGET_MS = 60.0, 500.0, 20.0


def populate(url: str, tasks: int) -> None:
    """Write agencies, officers, one coordinator and `tasks` tasks with core bulk inserts."""
    engine = make_engine(url)
    migrate(engine)
    created = datetime(2026, 5, 1, tzinfo=UTC)
    rng = random.Random(11)
    with engine.begin() as connection:
        connection.execute(
            insert(Plan.__table__),
            [
                {
                    "id": 1,
                    "source_key": "bench",
                    "source_name": "bench.txt",
                    "imported_at": created,
                    "updated_at": created,
                }
            ],
        )
        connection.execute(
            insert(Agency.__table__),
            [
                {
                    "id": i,
                    "name": f"Sở {i}",
                    "folded_name": f"so {i}",
                    "is_generic": False,
                    "flagged": False,
                    "created_at": created,
                }
                for i in range(1, AGENCIES + 2)
            ],
        )
        contacts = [
            {
                "channel": "telegram",
                "chat_id": f"{agency}-{n}",
                "display_name": "",
                "agency_id": agency,
                "role": ContactRole.OFFICER.value,
                "active": True,
                "created_at": created,
            }
            for agency in range(1, AGENCIES + 1)
            for n in range(OFFICERS_PER_AGENCY)
        ]
        contacts.append(
            {
                "channel": "telegram",
                "chat_id": "coordinator",
                "display_name": "",
                "agency_id": AGENCIES + 1,
                "role": ContactRole.COORDINATOR.value,
                "active": True,
                "created_at": created,
            }
        )
        connection.execute(insert(Contact.__table__), contacts)
    for start in range(1, tasks + 1, 10_000):
        ids = range(start, min(start + 10_000, tasks + 1))
        rows, links = [], []
        for task_id in ids:
            due = date(2026, 6, 15) + timedelta(days=rng.randrange(600))
            rows.append(
                {
                    "id": task_id,
                    "plan_id": 1,
                    "ref": str(task_id),
                    "position": task_id,
                    "content": f"Nhiệm vụ {task_id}",
                    "result": "",
                    "deadline_text": f"ngày {due:%d/%m/%Y}",
                    "deadline_kind": "fixed",
                    "due_date": due,
                    "milestones": "",
                    "deadline_understood": True,
                    "flagged": False,
                    "status": TaskStatus.NOT_STARTED.value,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            lead, support, executor = rng.sample(range(1, AGENCIES + 1), 3)
            for agency, role in (
                (lead, AgencyRole.LEAD),
                (support, AgencyRole.COORDINATOR),
                (executor, AgencyRole.EXECUTOR),
            ):
                links.append(
                    {
                        "task_id": task_id,
                        "agency_id": agency,
                        "role": role.value,
                        "name_as_written": "",
                    }
                )
        with engine.begin() as connection:
            connection.execute(insert(Task.__table__), rows)
            connection.execute(insert(TaskAgency.__table__), links)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            for table in ("task", "agency", "contact", "plan"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            connection.execute(text("ANALYZE"))
    engine.dispose()


def full_replan(url: str) -> None:
    """Child process: one full re-plan; prints seconds, rows and peak RSS as JSON."""
    from schedules.planning import plan_reminders

    engine = make_engine(url)
    started = time.perf_counter()
    with session_scope(engine) as session:
        outcome = plan_reminders(session, policy=policy(), now=NOW)
    seconds = time.perf_counter() - started
    # The next night's safety net: every row is there already, nothing should change.
    started = time.perf_counter()
    with session_scope(engine) as session:
        again = plan_reminders(session, policy=policy(), now=NOW)
    steady = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "created": outcome.created,
                "steady_seconds": steady,
                "steady_changes": again.created + again.cancelled + again.moved,
                "peak_mb": peak_mb,
            }
        )
    )


def incremental(url: str, rounds: int = 40) -> tuple[float, bool]:
    """Median milliseconds of re-planning one task after a status change, and whether only
    that task's rows changed."""
    from schedules.planning import plan_reminders

    engine = make_engine(url)
    the_policy = policy()
    rng = random.Random(5)
    with session_scope(engine) as session:
        top = session.execute(select(func.max(Task.id))).scalar_one()
    timings: list[float] = []
    only_its_rows = True
    for _round in range(rounds):
        task_id = rng.randrange(1, top + 1)
        with session_scope(engine) as session:
            before = _ledger_marks(session)
            # By task id alone: with the state too, SQLite would walk the (state, due) index.
            states = session.execute(
                select(Reminder.state).where(Reminder.task_id == task_id)
            ).scalars()
            own = sum(state == ReminderState.PENDING for state in states)
            task = session.get(Task, task_id)
            record_status(
                session,
                task=task,
                contact=None,
                channel="bench",
                chat_id="",
                text="xong",
                status=TaskStatus.DONE,
                today=NOW.date(),
                now=NOW,
            )
            session.flush()  # the status change itself is written before the clock starts
            started = time.perf_counter()
            outcome = plan_reminders(session, policy=the_policy, now=NOW, task_ids=[task_id])
            timings.append((time.perf_counter() - started) * 1000)
            # Exactly the task's pending rows were withdrawn, and no row was added anywhere.
            cancelled, newest = _ledger_marks(session)
            only_its_rows &= outcome.cancelled == own and outcome.created == 0
            only_its_rows &= (cancelled - before[0], newest) == (own, before[1])
    engine.dispose()
    return statistics.median(timings), only_its_rows


def _ledger_marks(session) -> tuple[int, int]:
    """Cancelled rows (few; counted through the state index) and the newest row id."""
    cancelled = session.execute(
        select(func.count()).select_from(Reminder).where(Reminder.state == ReminderState.CANCELLED)
    ).scalar_one()
    return cancelled, session.execute(select(func.max(Reminder.id))).scalar_one()


def run(name: str, url: str, tasks: int) -> bool:
    """Populate, re-plan in a child process, then time incremental re-plans; print figures."""
    started = time.perf_counter()
    populate(url, tasks)
    print(f"[{name}] {tasks:,} tasks written in {time.perf_counter() - started:.1f} s")
    child = subprocess.run(
        [sys.executable, __file__, "--child", url], capture_output=True, text=True, check=True
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    ok_time = figures["seconds"] < FULL_TARGET_S
    ok_rss = figures["peak_mb"] < RSS_TARGET_MB
    ok_steady = figures["steady_seconds"] < FULL_TARGET_S and figures["steady_changes"] == 0
    print(
        f"[{name}] full re-plan: {figures['seconds']:.1f} s for {figures['created']:,} rows "
        f"(target < {FULL_TARGET_S:.0f} s) {'OK' if ok_time else 'MISSED'}"
    )
    print(
        f"[{name}] daily re-plan over the planned rows: {figures['steady_seconds']:.1f} s, "
        f"{figures['steady_changes']} rows changed (target < {FULL_TARGET_S:.0f} s, 0 changes) "
        f"{'OK' if ok_steady else 'MISSED'}"
    )
    print(
        f"[{name}] peak RSS of the re-planning process: {figures['peak_mb']:.0f} MB "
        f"(target < {RSS_TARGET_MB:.0f} MB) {'OK' if ok_rss else 'MISSED'}"
    )
    median_ms, only_its_rows = incremental(url)
    ok_inc = median_ms < INCREMENTAL_TARGET_MS and only_its_rows
    print(
        f"[{name}] incremental re-plan after a status change: {median_ms:.1f} ms median, "
        f"only that task's rows touched: {only_its_rows} "
        f"(target < {INCREMENTAL_TARGET_MS:.0f} ms) {'OK' if ok_inc else 'MISSED'}"
    )
    return ok_time and ok_steady and ok_rss and ok_inc


def _postgres_url(explicit: str | None) -> tuple[str | None, bool]:
    """A server URL: the one given, the test suite's, or a throwaway cluster we start."""
    if explicit:
        return explicit, False
    if os.environ.get("NHACVIEC_TEST_POSTGRES_URL"):
        return os.environ["NHACVIEC_TEST_POSTGRES_URL"], False
    started = subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), "start"], capture_output=True, text=True
    )
    url = started.stdout.strip().splitlines()[-1] if started.stdout.strip() else ""
    return (url or None), bool(url)


def _fresh_postgres_database(server_url: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, make_url

    name = f"bench_planning_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(server_url: str, name: str) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> int:
    """Run the benchmark on SQLite and, when a server is available, on PostgreSQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: start one)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        full_replan(args.child)
        return 0
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-planning-") as folder:
        ok &= run("sqlite", f"sqlite:///{folder}/bench.db", args.tasks)
    if not args.no_postgres:
        server, started_here = _postgres_url(args.postgres)
        if server is None:
            print("[postgresql] no server available: skipped")
        else:
            url, name = _fresh_postgres_database(server)
            try:
                ok &= run("postgresql", url, args.tasks)
            finally:
                _drop_postgres_database(server, name)
                if started_here:
                    subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop"], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""/tiendo and the report over 100k tasks and 500 agencies (targets: 100 ms median, 10 s).

The store is generated with set-based SQL (recursive CTEs), not ORM loops, on a migrated
SQLite file; PostgreSQL is measured too when NHACVIEC_BENCH_POSTGRES_URL names a database
that may be emptied.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import text  # noqa: E402

from core.messages import Incoming  # noqa: E402
from db.engine import make_engine, migrate, session_scope  # noqa: E402
from handlers.context import BotContext  # noqa: E402
from handlers.conversation import handle  # noqa: E402

TASKS = 100_000
AGENCIES = 500
PLANS = 20
UPDATES = 60_000
TIENDO_TARGET_MS = 100.0
REPORT_TARGET_S = 10.0
REPORT_RUNS = 3
NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
COORDINATOR_CHAT = "bench-coordinator"

# Day offsets from 2026-06-15 spread deadlines four months either side; statuses cycle.
_STORE = [
    f"""
    INSERT INTO agency (id, name, folded_name, is_generic, flagged, created_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {AGENCIES})
    SELECT i, 'Cơ quan số ' || i, 'co quan so ' || i, 0, 0, '2026-01-01 00:00:00' FROM n
    """,
    f"""
    INSERT INTO plan (id, source_key, source_name, title, imported_at, updated_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PLANS})
    SELECT i, 'ke-hoach-' || i, 'ke-hoach-' || i || '.docx', 'Kế hoạch số ' || i,
           '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n
    """,
    f"""
    INSERT INTO task (id, plan_id, ref, position, content, result, deadline_text, milestones,
                      deadline_kind, due_date, deadline_understood, flagged, status,
                      progress, completed_on, created_at, updated_at, original_due_date)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {TASKS})
    SELECT i, 1 + i % {PLANS}, CAST(i / {PLANS} AS TEXT), i / {PLANS},
           'Nhiệm vụ số ' || i || ': triển khai, kiểm tra và báo cáo kết quả thực hiện',
           'Báo cáo', 'ngày ' || strftime('%d/%m/%Y', date('2026-06-15', (i % 241 - 120) || ' days')), '',
           CASE WHEN i % 23 = 0 THEN 'ongoing' WHEN i % 29 = 0 THEN 'undetermined' ELSE 'fixed' END,
           CASE WHEN i % 23 = 0 OR i % 29 = 0 THEN NULL
                ELSE date('2026-06-15', (i % 241 - 120) || ' days') END,
           1, 0,
           CASE i % 7 WHEN 0 THEN 'done' WHEN 1 THEN 'done' WHEN 2 THEN 'in_progress'
                      WHEN 3 THEN 'awaiting_confirmation' WHEN 4 THEN 'extension_requested'
                      WHEN 5 THEN 'blocked' ELSE 'not_started' END,
           CASE WHEN i % 7 = 2 THEN 40 END,
           CASE WHEN i % 7 IN (0, 1, 3) THEN date('2026-06-15', (i % 241 - 120 + i % 5 - 2) || ' days') END,
           '2026-01-01 00:00:00', '2026-01-01 00:00:00',
           CASE WHEN i % 31 = 0 THEN date('2026-06-15', (i % 241 - 130) || ' days') END
    FROM n
    """,
    f"""
    INSERT INTO taskagency (task_id, agency_id, role, name_as_written)
    SELECT id, 1 + (id * 7) % {AGENCIES}, 'lead', '' FROM task
    """,
    f"""
    INSERT INTO taskagency (task_id, agency_id, role, name_as_written)
    SELECT id, 1 + (id * 13 + 1) % {AGENCIES}, 'coordinator', '' FROM task WHERE id % 3 = 0
    """,
    """
    INSERT INTO contact (id, channel, chat_id, display_name, agency_id, role, active,
                         created_at, all_plans)
    VALUES (1, 'telegram', 'bench-coordinator', 'Đầu mối', 1, 'coordinator', 1,
            '2026-01-01 00:00:00', 1)
    """,
    f"""
    INSERT INTO statusupdate (task_id, contact_id, channel, chat_id, created_at, text,
                              old_status, new_status, progress)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {UPDATES})
    SELECT 1 + (i * 37) % {TASKS}, 1, 'telegram', 'bench', '2026-06-01 03:00:00',
           'đang làm, đã xong phần khảo sát số ' || i, 'not_started', 'in_progress', 40
    FROM n
    """,
]


_POSTGRES_STORE = [
    f"""
    INSERT INTO agency (id, name, folded_name, is_generic, flagged, created_at)
    SELECT i, 'Cơ quan số ' || i, 'co quan so ' || i, false, false, '2026-01-01'
    FROM generate_series(1, {AGENCIES}) AS i
    """,
    f"""
    INSERT INTO plan (id, source_key, source_name, title, imported_at, updated_at)
    SELECT i, 'ke-hoach-' || i, 'ke-hoach-' || i || '.docx', 'Kế hoạch số ' || i,
           '2026-01-01', '2026-01-01'
    FROM generate_series(1, {PLANS}) AS i
    """,
    f"""
    INSERT INTO task (id, plan_id, ref, position, content, result, deadline_text, milestones,
                      deadline_kind, due_date, deadline_understood, flagged, status,
                      progress, completed_on, created_at, updated_at, original_due_date)
    SELECT i, 1 + i % {PLANS}, (i / {PLANS})::text, i / {PLANS},
           'Nhiệm vụ số ' || i || ': triển khai, kiểm tra và báo cáo kết quả thực hiện',
           'Báo cáo', 'ngày ' || to_char(date '2026-06-15' + (i % 241 - 120), 'DD/MM/YYYY'), '',
           CASE WHEN i % 23 = 0 THEN 'ongoing' WHEN i % 29 = 0 THEN 'undetermined' ELSE 'fixed' END,
           CASE WHEN i % 23 = 0 OR i % 29 = 0 THEN NULL
                ELSE date '2026-06-15' + (i % 241 - 120) END,
           true, false,
           CASE i % 7 WHEN 0 THEN 'done' WHEN 1 THEN 'done' WHEN 2 THEN 'in_progress'
                      WHEN 3 THEN 'awaiting_confirmation' WHEN 4 THEN 'extension_requested'
                      WHEN 5 THEN 'blocked' ELSE 'not_started' END,
           CASE WHEN i % 7 = 2 THEN 40 END,
           CASE WHEN i % 7 IN (0, 1, 3) THEN date '2026-06-15' + (i % 241 - 120 + i % 5 - 2) END,
           '2026-01-01', '2026-01-01',
           CASE WHEN i % 31 = 0 THEN date '2026-06-15' + (i % 241 - 130) END
    FROM generate_series(1, {TASKS}) AS i
    """,
    _STORE[3],
    _STORE[4],
    """
    INSERT INTO contact (id, channel, chat_id, display_name, agency_id, role, active,
                         created_at, all_plans)
    VALUES (1, 'telegram', 'bench-coordinator', 'Đầu mối', 1, 'coordinator', true,
            '2026-01-01', true)
    """,
    f"""
    INSERT INTO statusupdate (task_id, contact_id, channel, chat_id, created_at, text,
                              old_status, new_status, progress)
    SELECT 1 + (i * 37) % {TASKS}, 1, 'telegram', 'bench', '2026-06-01 03:00:00+00',
           'đang làm, đã xong phần khảo sát số ' || i, 'not_started', 'in_progress', 40
    FROM generate_series(1, {UPDATES}) AS i
    """,
]


def build_store(url: str) -> None:
    """A migrated store filled by set-based inserts (no ORM objects)."""
    engine = make_engine(url)
    migrate(engine)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for statement in _POSTGRES_STORE if postgres else _STORE:
            connection.execute(text(statement))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


@dataclass
class Figures:
    """What one store measured."""

    tiendo_ms: float  # median, no change since the last /tiendo
    tiendo_after_change_ms: float  # median, right after a task changed (its plan recomputed)
    tiendo_cold_ms: float  # the day's first /tiendo: every plan counted
    report_s: float  # median of REPORT_RUNS
    first_report_s: float  # the process's first (matplotlib still to import)
    heading: str


def measure(url: str) -> Figures:
    """/tiendo as a coordinator sends it, with and without a change since the last one."""
    from db.scope import Scope
    from handlers.report_files import build_report
    from tests.factories import policy

    engine = make_engine(url)
    context = BotContext(engine=engine, clock=lambda: NOW, policy_loader=lambda s: policy())
    incoming = Incoming(channel="telegram", chat_id=COORDINATOR_CHAT, text="/tiendo")
    handle(Incoming(channel="telegram", chat_id=COORDINATOR_CHAT, text="/help"), context)
    started = time.perf_counter()
    answer = handle(incoming, context)[0]  # the day's first: every plan counted afresh
    cold = (time.perf_counter() - started) * 1000

    def timed() -> float:
        started = time.perf_counter()
        handle(incoming, context)
        return (time.perf_counter() - started) * 1000

    cached = [timed() for _ in range(21)]
    after_change = []
    for number in range(7):
        with engine.begin() as connection:  # an officer's report, as far as the stamp knows
            connection.execute(
                text("UPDATE task SET progress = :p WHERE id = :id"), {"p": number, "id": 2}
            )
        after_change.append(timed())
    reports = []
    for _run in range(REPORT_RUNS):
        started = time.perf_counter()
        with session_scope(engine) as session:
            files = build_report(session, today=NOW.date(), scope=Scope(everything=True))
        reports.append(time.perf_counter() - started)
        assert sum(files.totals.values()) == TASKS
    engine.dispose()
    return Figures(
        statistics.median(cached),
        statistics.median(after_change),
        cold,
        statistics.median(reports),
        reports[0],
        "\n".join(answer.text.splitlines()[:3]),
    )


def _postgres_database(admin_url: str):
    """A fresh database beside the one NHACVIEC_BENCH_POSTGRES_URL names, dropped afterwards."""
    from contextlib import contextmanager

    from sqlalchemy import create_engine, make_url

    @contextmanager
    def scoped():
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "nhacviec_bench" WITH (FORCE)'))
            connection.execute(text('CREATE DATABASE "nhacviec_bench"'))
        try:
            yield (
                make_url(admin_url)
                .set(database="nhacviec_bench")
                .render_as_string(hide_password=False)
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text('DROP DATABASE IF EXISTS "nhacviec_bench" WITH (FORCE)'))
            admin.dispose()

    return scoped()


def _run(label: str, url: str) -> bool:
    started = time.perf_counter()
    build_store(url)
    built = time.perf_counter() - started
    figures = measure(url)
    ok = figures.tiendo_ms < TIENDO_TARGET_MS and figures.report_s < REPORT_TARGET_S
    print(
        f"[{label}] store: {TASKS:,} tasks, {AGENCIES} agencies, {UPDATES:,} updates ({built:.1f} s)"
    )
    print(
        f"[{label}] /tiendo (coordinator): {figures.tiendo_ms:.1f} ms median "
        f"(target < {TIENDO_TARGET_MS:.0f} ms); right after a change: "
        f"{figures.tiendo_after_change_ms:.0f} ms median (its plan recounted); "
        f"the day's first: {figures.tiendo_cold_ms:.0f} ms (every plan counted)"
    )
    print(
        f"[{label}] report .xlsx + chart: {figures.report_s:.2f} s median of {REPORT_RUNS} "
        f"(target < {REPORT_TARGET_S:.0f} s); the process's first: {figures.first_report_s:.2f} s"
    )
    print(f"[{label}] " + figures.heading.replace("\n", " | "))
    print(f"[{label}] {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    """Print each figure beside its target; exit 1 when one is missed."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(_run("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}"))
    postgres = os.environ.get("NHACVIEC_BENCH_POSTGRES_URL", "").strip()
    if postgres:
        with _postgres_database(postgres) as url:
            results.append(_run("PostgreSQL", url))
    else:
        print("(set NHACVIEC_BENCH_POSTGRES_URL to measure PostgreSQL too)")
    return 0 if all(results) else 1


if __name__ == "__main__":
    os.environ.setdefault("NHACVIEC_TIMEZONE", "Asia/Ho_Chi_Minh")
    sys.exit(main())

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


def build_store(url: str) -> None:
    """A migrated SQLite file filled by set-based inserts."""
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        for statement in _STORE:
            connection.execute(text(statement))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def measure(url: str) -> tuple[float, float, str]:
    """(/tiendo median ms, report seconds, the /tiendo answer's first lines)."""
    from db.scope import Scope
    from handlers.report_files import build_report
    from tests.factories import policy

    engine = make_engine(url)
    context = BotContext(engine=engine, clock=lambda: NOW, policy_loader=lambda s: policy())
    incoming = Incoming(channel="telegram", chat_id=COORDINATOR_CHAT, text="/tiendo")
    answer = handle(incoming, context)[0]  # warm up caches and the catalog
    timings = []
    for _ in range(21):
        started = time.perf_counter()
        handle(incoming, context)
        timings.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    with session_scope(engine) as session:
        files = build_report(session, today=NOW.date(), scope=Scope(everything=True))
    report_seconds = time.perf_counter() - started
    assert sum(files.totals.values()) == TASKS
    engine.dispose()
    return statistics.median(timings), report_seconds, "\n".join(answer.text.splitlines()[:3])


def main() -> int:
    """Print each figure beside its target; exit 1 when one is missed."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        build_store(url)
        built = time.perf_counter() - started
        tiendo_ms, report_s, heading = measure(url)
    ok = tiendo_ms < TIENDO_TARGET_MS and report_s < REPORT_TARGET_S
    print(
        f"store: {TASKS:,} tasks, {AGENCIES} agencies, {UPDATES:,} updates (built in {built:.1f} s)"
    )
    print(
        f"/tiendo (coordinator, SQLite): {tiendo_ms:.1f} ms median (target < {TIENDO_TARGET_MS:.0f} ms)"
    )
    print(f"report .xlsx + chart (SQLite): {report_s:.2f} s (target < {REPORT_TARGET_S:.0f} s)")
    print(heading)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("NHACVIEC_TIMEZONE", "Asia/Ho_Chi_Minh")
    sys.exit(main())

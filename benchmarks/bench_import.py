"""Import speed on seed 001's text and on a 1,000-row .xlsx.

Two figures per file: reading and extracting (`--dry-run`), and the whole import into a fresh
SQLite store where two officers of every lead agency are already subscribed, so tasks, agency
links and reminder rows are all written in one transaction (what `nhacviec import` does).
Targets: seed 001 under 0.3 s, the 1,000-row workbook under 2 s, for the whole import (median
of warm runs; the first run, which also pays for imports, is printed for information). Exits 1
on a FAIL.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # for tests.plans.builders

from core.errors import UserError  # noqa: E402
from plans.extract import extract_plan  # noqa: E402
from plans.readers import read_document  # noqa: E402

SHARED_DIR = Path(os.environ.get("NHACVIEC_SHARED_DIR", REPO_ROOT.parent / "shared"))
SEED_TARGET_S = 0.3
XLSX_TARGET_S = 2.0
XLSX_ROWS = 1000
RUNS = 5


def timed(path: Path) -> tuple[float, float, str]:
    """First-run and median warm-run seconds for reading and extracting one file, and what came
    out ("32 tasks")."""
    times = []
    found = ""
    for _ in range(RUNS + 1):
        start = time.perf_counter()
        found = f"{len(extract_plan(read_document(path)).tasks)} tasks"
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:]), found


def timed_store_import(path: Path) -> tuple[float, float, str]:
    """First-run and median warm-run seconds for a whole import into a fresh SQLite store with
    two officers per lead agency, and what it wrote ("32 tasks, 256 reminders")."""
    from functools import partial

    from sqlmodel import Session, func, select

    from bot.settings import Settings
    from core.clock import utcnow
    from db.contacts import agency_for_invite, create_invite, redeem_invite
    from db.engine import make_engine, migrate, session_scope
    from db.models import ContactRole, Reminder
    from handlers.imports import import_plan
    from schedules.planning import load_policy

    leads = {name for task in extract_plan(read_document(path)).tasks for name in task.lead}
    times = []
    found = ""
    for run in range(RUNS + 1):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            settings = Settings(DATABASE_URL=url)
            engine = make_engine(url)
            migrate(engine)
            now = utcnow()
            with session_scope(engine) as session:
                for number, lead in enumerate(sorted(leads)):
                    try:
                        agency = agency_for_invite(session, lead)
                    except UserError:
                        continue  # an agency only the plan names: no officers yet
                    for officer in range(2):
                        code = create_invite(
                            session, agency=agency, role=ContactRole.OFFICER, now=now
                        ).code
                        redeem_invite(
                            session,
                            code=code,
                            channel="console",
                            chat_id=f"{run}-{number}-{officer}",
                            display_name="Cán bộ",
                            now=now,
                        )
            start = time.perf_counter()
            outcome = import_plan(
                engine,
                path=path,
                policy_loader=partial(load_policy, settings=settings),
                now=now,
            )
            times.append(time.perf_counter() - start)
            with Session(engine) as session:
                reminders = session.exec(select(func.count()).select_from(Reminder)).one()
            found = f"{len(outcome.task_ids)} tasks, {reminders} reminders"
            engine.dispose()
    return times[0], statistics.median(times[1:]), found


def measure(label: str, path: Path, target: float) -> bool:
    """Time one file both ways and print the figures with PASS/FAIL on the whole import."""
    try:
        first, median, found = timed(path)
        print(
            f"{label}, read + extract: {found}, median {median:.3f} s over {RUNS} warm runs "
            f"(first run {first:.3f} s)"
        )
        first, median, found = timed_store_import(path)
    except UserError as error:
        print(f"{label}: FAIL, nothing to time: {error.message}")
        return False
    ok = median < target
    print(
        f"{label}, whole import into SQLite: {found}, median {median:.3f} s over {RUNS} warm "
        f"runs (first run {first:.3f} s), target < {target} s: {'PASS' if ok else 'FAIL'}"
    )
    return ok


def workbook_rows(count: int) -> list[list[str]]:
    """A task table of `count` task rows, with a section row before every 50 tasks."""
    from tests.plans.builders import TASK_HEADER

    leads = ["Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Khoa học và Công nghệ", "Công an tỉnh"]
    deadlines = ["Năm 2026", "Quý I/2026", "Thường xuyên", "Hằng năm", "Tháng 6/2026"]
    rows: list[list[str]] = [list(TASK_HEADER)]
    romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    for index in range(count):
        if index % 50 == 0:
            section = romans[(index // 50) % len(romans)]
            rows.append(
                [f"{section}. Nhóm nhiệm vụ số {index // 50 + 1} về chuyển đổi số giáo dục"]
            )
        rows.append(
            [
                str(index % 50 + 1),
                f"Xây dựng và triển khai kế hoạch số {index + 1} về phát triển năng lực số cho đội "
                "ngũ cán bộ quản lý, giáo viên và học sinh trên địa bàn tỉnh",
                leads[index % len(leads)],
                "Sở, ngành, các xã, phường và cơ quan, đơn vị liên quan",
                deadlines[index % len(deadlines)],
                "Kế hoạch của UBND tỉnh",
            ]
        )
    return rows


def main() -> int:
    """Run both measurements; 1 when one misses its target."""
    ok = True
    seeds = sorted((SHARED_DIR / "seeds").glob("001_*.txt"))
    if seeds:
        ok &= measure(f"seed 001 text ({seeds[0].name})", seeds[0], SEED_TARGET_S)
    else:
        print(f"seed 001: SKIP, no seeds folder at {SHARED_DIR / 'seeds'}")
    from tests.plans.builders import build_xlsx

    with tempfile.TemporaryDirectory() as folder:
        path = build_xlsx(Path(folder) / "tasks.xlsx", workbook_rows(XLSX_ROWS), title=["KẾ HOẠCH"])
        ok &= measure(f"{XLSX_ROWS}-row .xlsx", path, XLSX_TARGET_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

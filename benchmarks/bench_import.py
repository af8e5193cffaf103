"""Import speed: read_document + extract_plan on seed 001's text and on a 1,000-row .xlsx.

Targets: seed 001 under 0.3 s, the 1,000-row workbook under 2 s (median of warm runs; the
first run, which also pays for imports, is printed for information). Exits 1 on a FAIL.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # for tests.plans.builders

from bot.errors import UserError  # noqa: E402
from plans.model import Document  # noqa: E402
from plans.readers import read_document  # noqa: E402

SHARED_DIR = Path(os.environ.get("NHACVIEC_SHARED_DIR", REPO_ROOT.parent / "shared"))
SEED_TARGET_S = 0.3
XLSX_TARGET_S = 2.0
XLSX_ROWS = 1000
RUNS = 5


def load_extract_plan() -> Callable[[Document], object] | None:
    """extract_plan when plans/extract.py exists, else None (the bench then times reading only)."""
    try:
        from plans.extract import extract_plan
    except ModuleNotFoundError as exc:
        if exc.name != "plans.extract":
            raise
        return None
    return extract_plan


def timed(path: Path, extract: Callable[[Document], object] | None) -> tuple[float, float, str]:
    """First-run and median warm-run seconds for reading (and extracting) one file, and what
    came out ("32 tasks")."""
    times = []
    found = ""
    for _ in range(RUNS + 1):
        start = time.perf_counter()
        document = read_document(path)
        if extract is not None:
            found = f"{len(extract(document).tasks)} tasks"
        times.append(time.perf_counter() - start)
    if extract is None:
        found = f"{len(document.blocks)} blocks"
    return times[0], statistics.median(times[1:]), found


def measure(
    label: str, path: Path, extract: Callable[[Document], object] | None, target: float
) -> bool:
    """Time one file and print its figure with PASS/FAIL; True when it meets the target."""
    try:
        first, median, found = timed(path, extract)
    except UserError as error:
        print(f"{label}: FAIL, nothing to time: {error.message}")
        return False
    ok = median < target
    print(
        f"{label}: {found}, median {median:.3f} s over {RUNS} warm runs "
        f"(first run {first:.3f} s), target < {target} s: {'PASS' if ok else 'FAIL'}"
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
    extract = load_extract_plan()
    what = "read_document + extract_plan"
    if extract is None:
        what = "read_document only (plans/extract.py not found)"
    print(f"measuring {what}")
    ok = True
    seeds = sorted((SHARED_DIR / "seeds").glob("001_*.txt"))
    if seeds:
        ok &= measure(f"seed 001 text ({seeds[0].name})", seeds[0], extract, SEED_TARGET_S)
    else:
        print(f"seed 001: SKIP, no seeds folder at {SHARED_DIR / 'seeds'}")
    from tests.plans.builders import build_xlsx

    with tempfile.TemporaryDirectory() as folder:
        path = build_xlsx(Path(folder) / "tasks.xlsx", workbook_rows(XLSX_ROWS), title=["KẾ HOẠCH"])
        ok &= measure(f"{XLSX_ROWS}-row .xlsx", path, extract, XLSX_TARGET_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

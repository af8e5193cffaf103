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


def timed(path: Path, extract: Callable[[Document], object] | None) -> tuple[float, float]:
    """First-run and median warm-run seconds for reading (and extracting) one file."""
    times = []
    for _ in range(RUNS + 1):
        start = time.perf_counter()
        document = read_document(path)
        if extract is not None:
            extract(document)
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


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


def report(label: str, first: float, median: float, target: float) -> bool:
    """Print one figure with its verdict; True when it meets the target."""
    ok = median < target
    print(
        f"{label}: median {median:.3f} s over {RUNS} warm runs (first run {first:.3f} s), "
        f"target < {target} s: {'PASS' if ok else 'FAIL'}"
    )
    return ok


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
        first, median = timed(seeds[0], extract)
        ok &= report(f"seed 001 text ({seeds[0].name})", first, median, SEED_TARGET_S)
    else:
        print(f"seed 001: SKIP, no seeds folder at {SHARED_DIR / 'seeds'}")
    from tests.plans.builders import build_xlsx

    with tempfile.TemporaryDirectory() as folder:
        path = build_xlsx(Path(folder) / "tasks.xlsx", workbook_rows(XLSX_ROWS), title=["KẾ HOẠCH"])
        first, median = timed(path, extract)
        ok &= report(f"{XLSX_ROWS}-row .xlsx", first, median, XLSX_TARGET_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

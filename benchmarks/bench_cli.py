"""Cold-start times of the CLI: `--help` under 0.5 s, `parse deadline|reply` under 0.3 s."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 7
CASES = [
    (["--help"], 0.5),
    (["parse", "deadline", "trước ngày 15/12 hằng năm", "--today", "2026-11-23"], 0.3),
    (["parse", "reply", "xin gia hạn đến hết tháng 6", "--today", "2026-11-23"], 0.3),
]


def cold_start(args: list[str]) -> float:
    """Median wall time of a fresh `python -m bot.cli ARGS` process."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], cwd=REPO, capture_output=True, check=True
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    """Print each command's median cold start against its target."""
    failed = False
    for args, target in CASES:
        seconds = cold_start(args)
        verdict = "PASS" if seconds < target else "FAIL"
        failed |= verdict == "FAIL"
        print(
            f"nhacviec {' '.join(args)}: {seconds * 1000:.0f} ms (target < {target * 1000:.0f} ms) {verdict}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

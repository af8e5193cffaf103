"""Throughput of reminder_time over a year of due dates (informative; no target is set)."""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schedules.calendar import (
    SendWindow,
    WorkingCalendar,
    parse_offsets,
    reminder_time,
)

OFFSETS = parse_offsets("7d,3wd,1d,0d,2h,30m")


def main() -> int:
    """Print reminder times computed per second for the default settings."""
    calendar = WorkingCalendar()
    window = SendWindow.parse("08:00-17:00")
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    dues = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(365)]
    computed = 0
    started = time.perf_counter()
    while time.perf_counter() - started < 2.0:
        for due in dues:
            for offset in OFFSETS:
                reminder_time(due, offset, calendar=calendar, window=window, tz=zone)
        computed += len(dues) * len(OFFSETS)
    rate = computed / (time.perf_counter() - started)
    print(f"reminder_time: {rate:,.0f} reminder times/s (offsets {[o.label for o in OFFSETS]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

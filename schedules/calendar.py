"""Working days, send windows and reminder offsets: when a reminder may reach an officer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

OffsetUnit = Literal["d", "wd", "h", "m"]

_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Beyond this a search for a working day means the calendar has none (a settings mistake).
_SEARCH_LIMIT_DAYS = 3 * 366


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays of one year, Tết and days in lieu included."""
    return frozenset(holidays.country_holidays("VN", years=year))


@lru_cache(maxsize=64)
def _official_make_up_days(year: int) -> frozenset[date]:
    """Weekend days the government turned into working days to bridge a holiday."""
    calendar = holidays.country_holidays("VN", years=year)
    return frozenset(day for day in calendar.weekend_workdays if day.year == year)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days officers work: weekdays, minus public holidays, with province exceptions."""

    working_weekdays: frozenset[int] = frozenset(range(5))
    # Province announcements (table calendarday): they override everything else.
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Callers pass sets or lists; frozen sets keep the calendar hashable and shareable.
        for name in ("working_weekdays", "extra_days_off", "extra_working_days"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

    def is_working_day(self, day: date) -> bool:
        """Whether officers work on `day`."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or day in _public_holidays(day.year):
            return False
        return day.weekday() in self.working_weekdays or day in _official_make_up_days(day.year)

    def previous_working_day(self, day: date) -> date:
        """The last working day on or before `day`."""
        return self._walk(day, step=-1)

    def next_working_day(self, day: date) -> date:
        """The first working day on or after `day`."""
        return self._walk(day, step=1)

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it when negative)."""
        step = 1 if count > 0 else -1
        for _ in range(abs(count)):
            day = self._walk(day + timedelta(days=step), step=step)
        return day

    def _walk(self, day: date, *, step: int) -> date:
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=step)
        raise ValueError("the working calendar has no working day within three years")


def working_days_from_setting(setting: str) -> frozenset[int]:
    """Weekday numbers (Monday 0) from "mon-fri", "mon-sat", "all" or a list like "mon,wed,fri"."""
    text = setting.strip().lower()
    if text in ("all", "everyday", "every day"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        first, _, last = (piece.strip() for piece in part.partition("-"))
        last = last or first
        if first not in _WEEKDAY_NAMES or last not in _WEEKDAY_NAMES:
            raise _working_days_error(setting, f"{part!r} is not a day or a range of days")
        start, end = _WEEKDAY_NAMES.index(first), _WEEKDAY_NAMES.index(last)
        if end < start:
            raise _working_days_error(setting, f"the range {part!r} runs backwards")
        days.update(range(start, end + 1))
    if not days:
        raise _working_days_error(setting, "no day given")
    return frozenset(days)


def _working_days_error(setting: str, problem: str) -> ValueError:
    return ValueError(
        f"working days {setting!r}: {problem}; use 'mon-fri', 'mon-sat', 'all' "
        "or day names like 'mon,wed,fri'"
    )


_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class SendWindow:
    """The local hours in which reminders may go out, both ends included."""

    start: time = time(8, 0)
    # 24:00 is stored as the last instant of the day so the window stays inside one date.
    end: time = time(17, 0)

    @classmethod
    def parse(cls, text: str) -> SendWindow:
        """Read "08:00-17:00"; "00:00-24:00" means any time of day."""
        match = _WINDOW.match(text or "")
        if not match:
            raise ValueError(f"send window {text!r}: write it as HH:MM-HH:MM, e.g. 08:00-17:00")
        start_hour, start_minute, end_hour, end_minute = (int(group) for group in match.groups())
        start = _clock(start_hour, start_minute, text)
        midnight = (end_hour, end_minute) == (24, 0)
        end = time.max if midnight else _clock(end_hour, end_minute, text)
        if end <= start:
            raise ValueError(f"send window {text!r}: the end must come after the start")
        return cls(start, end)

    @property
    def length(self) -> timedelta:
        """How long the window stays open each working day."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def contains(self, moment: time) -> bool:
        """Whether a local clock time lies inside the window."""
        return self.start <= moment.replace(tzinfo=None) <= self.end


def _clock(hour: int, minute: int, text: str) -> time:
    if hour > 23 or minute > 59:
        raise ValueError(f"send window {text!r}: {hour:02d}:{minute:02d} is not a time of day")
    return time(hour, minute)


# Anything longer is a typo ("300d" for "30d") and would only schedule nonsense.
_OFFSET_LIMITS: dict[str, int] = {"d": 366, "wd": 260, "h": 24 * 366, "m": 60 * 24 * 366}
_OFFSET = re.compile(r"^(\d+)\s*(wd|d|h|m)$")


@dataclass(frozen=True)
class Offset:
    """How long before the deadline a reminder goes out: calendar/working days, hours, minutes."""

    amount: int
    unit: OffsetUnit

    def __post_init__(self) -> None:
        if self.unit not in _OFFSET_LIMITS:
            raise ValueError(f"reminder offset unit {self.unit!r}: use d, wd, h or m")
        if not 0 <= self.amount <= _OFFSET_LIMITS[self.unit]:
            raise ValueError(
                f"reminder offset {self.label!r}: the amount must lie between 0 and "
                f"{_OFFSET_LIMITS[self.unit]}{self.unit}"
            )

    @property
    def label(self) -> str:
        """The offset as configured, e.g. "3wd" (stored with each reminder)."""
        return f"{self.amount}{self.unit}"


def parse_offsets(text: str) -> list[Offset]:
    """Read "7d,3wd,1d,0d,2h,30m" (d calendar days, wd working days, h hours, m minutes)."""
    offsets: list[Offset] = []
    for part in (piece.strip().lower() for piece in (text or "").split(",")):
        if not part:
            continue
        match = _OFFSET.match(part)
        if not match:
            raise ValueError(
                f"reminder offset {part!r}: write a number and a unit, d (days), wd (working "
                f"days), h (hours) or m (minutes), e.g. 7d,3wd,1d,0d,2h"
            )
        offset = Offset(int(match[1]), match[2])
        if offset in offsets:
            raise ValueError(f"reminder offset {offset.label!r} is listed twice")
        offsets.append(offset)
    if not offsets:
        raise ValueError(f"reminder offsets {text!r}: give at least one, e.g. 7d,1d,0d")
    return offsets


def reminder_time(
    due: date, offset: Offset, *, calendar: WorkingCalendar, window: SendWindow, tz: ZoneInfo
) -> datetime:
    """When the reminder `offset` before `due` goes out (aware, UTC), always inside a window."""
    deadline_day = calendar.previous_working_day(due)
    if offset.unit == "d":
        day = calendar.previous_working_day(due - timedelta(days=offset.amount))
        local = datetime.combine(day, window.start)
    elif offset.unit == "wd":
        day = calendar.add_working_days(deadline_day, -offset.amount)
        local = datetime.combine(day, window.start)
    else:
        minutes = offset.amount * (60 if offset.unit == "h" else 1)
        local = _count_back_working_time(
            deadline_day, timedelta(minutes=minutes), calendar=calendar, window=window
        )
    return local.replace(tzinfo=tz).astimezone(UTC)


def _count_back_working_time(
    day: date, remaining: timedelta, *, calendar: WorkingCalendar, window: SendWindow
) -> datetime:
    # Business-hours arithmetic: only time inside the windows of working days counts.
    while remaining > window.length:
        remaining -= window.length
        day = calendar.previous_working_day(day - timedelta(days=1))
    return datetime.combine(day, window.end) - remaining


# Day offsets all fall on the window's first minute: spread over this much of it, a Monday
# morning's reminders reach people over a quarter of an hour instead of in one burst.
MORNING_SPREAD = timedelta(minutes=15)


def spread_in_window(
    moment: datetime,
    key: int,
    *,
    window: SendWindow,
    tz: ZoneInfo,
    spread: timedelta = MORNING_SPREAD,
) -> datetime:
    """`moment` moved by a fixed share of `spread` chosen by `key` (say a contact's id), when it
    is the window's start; any other moment is returned as it is.

    The same key always lands on the same minute, so re-planning never moves a row, and one
    person's reminders of a morning stay together.
    """
    local = moment.astimezone(tz)
    if local.time().replace(tzinfo=None) != window.start:
        return moment
    spread = min(spread, window.length)
    seconds = int(spread.total_seconds())
    if seconds <= 0:
        return moment
    # Knuth's multiplicative hash: neighbouring keys spread over the whole span.
    share = (key * 2654435761) % 2**32 / 2**32
    return moment + timedelta(seconds=int(share * seconds))

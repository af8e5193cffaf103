"""The working calendar: reminders reach officers in working hours, never after the deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedules.calendar import (
    Offset,
    SendWindow,
    WorkingCalendar,
    parse_offsets,
    reminder_time,
    working_days_from_setting,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE_HOURS = SendWindow.parse("08:00-17:00")
WEEKDAYS = WorkingCalendar()


def local(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM)


# --- working days ----------------------------------------------------------------------------


def test_tet_2026_is_a_week_off():
    tet = [date(2026, 2, day) for day in range(16, 21)]
    assert not any(WEEKDAYS.is_working_day(day) for day in tet)
    assert WEEKDAYS.is_working_day(date(2026, 2, 13))
    assert WEEKDAYS.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 1), date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2)],
)
def test_public_holidays_are_days_off(day):
    assert not WEEKDAYS.is_working_day(day)


def test_weekends_are_off_and_a_make_up_saturday_is_worked():
    assert not WEEKDAYS.is_working_day(date(2026, 3, 14))
    # The government moved the 31/8/2026 bridge day onto Saturday 22/8.
    assert WEEKDAYS.is_working_day(date(2026, 8, 22))
    assert not WEEKDAYS.is_working_day(date(2026, 8, 31))


def test_province_announcements_override_the_national_calendar():
    province = WorkingCalendar(
        extra_days_off={date(2026, 3, 10)}, extra_working_days={date(2026, 2, 16)}
    )
    assert not province.is_working_day(date(2026, 3, 10))
    assert province.is_working_day(date(2026, 2, 16))


def test_counting_working_days_skips_tet():
    assert WEEKDAYS.previous_working_day(date(2026, 2, 22)) == date(2026, 2, 13)
    assert WEEKDAYS.previous_working_day(date(2026, 2, 13)) == date(2026, 2, 13)
    assert WEEKDAYS.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert WEEKDAYS.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)
    assert WEEKDAYS.add_working_days(date(2026, 3, 10), 0) == date(2026, 3, 10)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)), st.integers(-30, 30))
def test_adding_working_days_lands_on_a_working_day_and_can_be_undone(day, count):
    start = WEEKDAYS.previous_working_day(day)
    moved = WEEKDAYS.add_working_days(start, count)
    assert WEEKDAYS.is_working_day(moved)
    assert WEEKDAYS.add_working_days(moved, -count) == start


@pytest.mark.parametrize(
    ("setting", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon-sat", {0, 1, 2, 3, 4, 5}),
        ("all", set(range(7))),
        (" Mon-Fri ", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
    ],
)
def test_working_days_setting(setting, days):
    assert working_days_from_setting(setting) == days


@pytest.mark.parametrize("setting", ["", "monday-friday", "fri-mon", "weekdays"])
def test_a_wrong_working_days_setting_says_what_to_write(setting):
    with pytest.raises(ValueError, match="mon-fri"):
        working_days_from_setting(setting)


def test_a_six_day_week_works_on_saturdays_but_not_on_tet():
    six_days = WorkingCalendar(working_weekdays=working_days_from_setting("mon-sat"))
    assert six_days.is_working_day(date(2026, 3, 14))
    assert not six_days.is_working_day(date(2026, 2, 17))


# --- send window and offsets -----------------------------------------------------------------


def test_send_window():
    assert (OFFICE_HOURS.start, OFFICE_HOURS.end) == (time(8), time(17))
    assert OFFICE_HOURS.contains(time(8)) and OFFICE_HOURS.contains(time(17))
    assert not OFFICE_HOURS.contains(time(17, 1)) and not OFFICE_HOURS.contains(time(7, 59))
    any_time = SendWindow.parse("00:00-24:00")
    assert any_time.contains(time(0)) and any_time.contains(time(23, 59, 59))


@pytest.mark.parametrize("text", ["8-17", "17:00-08:00", "08:00-25:00", "08:70-17:00", ""])
def test_a_wrong_send_window_is_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match="send window"):
        SendWindow.parse(text)


def test_offsets_are_read_in_order_with_their_labels():
    offsets = parse_offsets("7d,3wd,1d,0d,2h,30m")
    assert [offset.label for offset in offsets] == ["7d", "3wd", "1d", "0d", "2h", "30m"]
    assert offsets[1] == Offset(3, "wd")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7x", "unit"),
        ("-1d", "unit"),
        ("1d,1d", "twice"),
        ("", "at least one"),
        ("400d", "between 0 and 366d"),
    ],
)
def test_wrong_offsets_are_refused_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_offsets(text)


# --- reminder times --------------------------------------------------------------------------


def remind(due: date, label: str, window: SendWindow = OFFICE_HOURS) -> datetime:
    (offset,) = parse_offsets(label)
    return reminder_time(due, offset, calendar=WEEKDAYS, window=window, tz=VIETNAM)


def test_reminder_times_are_aware_utc():
    moment = remind(date(2026, 3, 13), "0d")
    assert moment.tzinfo == UTC
    assert moment == datetime(2026, 3, 13, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("0m", datetime(2026, 3, 13, 17, 0)),  # the deadline moment: end of the due day
        ("0d", datetime(2026, 3, 13, 8, 0)),
        ("1d", datetime(2026, 3, 12, 8, 0)),
        ("7d", datetime(2026, 3, 6, 8, 0)),
        ("3wd", datetime(2026, 3, 10, 8, 0)),
        ("2h", datetime(2026, 3, 13, 15, 0)),
        ("30m", datetime(2026, 3, 13, 16, 30)),
        ("9h", datetime(2026, 3, 13, 8, 0)),
        ("10h", datetime(2026, 3, 12, 16, 0)),  # the hour before goes back to the day before
    ],
)
def test_reminders_before_a_friday_deadline(label, expected):
    assert local(remind(date(2026, 3, 13), label)).replace(tzinfo=None) == expected


def test_a_deadline_on_a_sunday_is_reminded_on_friday():
    assert local(remind(date(2026, 3, 15), "0d")).replace(tzinfo=None) == datetime(2026, 3, 13, 8)
    assert local(remind(date(2026, 3, 15), "0m")).replace(tzinfo=None) == datetime(2026, 3, 13, 17)


def test_a_deadline_right_after_tet_is_announced_before_tet():
    # Due Monday 23/2/2026, the first working day after Tết (16-20/2).
    for label in ("1d", "3d", "7d", "1wd", "3wd"):
        sent = local(remind(date(2026, 2, 23), label)).date()
        assert sent <= date(2026, 2, 13), label
    assert local(remind(date(2026, 2, 23), "1d")).replace(tzinfo=None) == datetime(2026, 2, 13, 8)


windows = st.sampled_from(["08:00-17:00", "07:30-11:30", "00:00-24:00", "13:00-13:01"]).map(
    SendWindow.parse
)
offsets = st.builds(
    Offset,
    st.integers(0, 60),
    st.sampled_from(["d", "wd", "h", "m"]),
)
calendars = st.builds(
    WorkingCalendar,
    working_weekdays=st.sampled_from(["mon-fri", "mon-sat", "all", "tue,thu"]).map(
        working_days_from_setting
    ),
    extra_days_off=st.frozensets(st.dates(date(2025, 12, 1), date(2027, 1, 31)), max_size=20),
)


@given(st.dates(date(2026, 1, 1), date(2026, 12, 31)), offsets, windows, calendars)
def test_a_reminder_is_in_the_window_on_a_working_day_and_never_after_the_deadline(
    due, offset, window, calendar
):
    sent = local(reminder_time(due, offset, calendar=calendar, window=window, tz=VIETNAM))
    deadline = local(
        reminder_time(due, Offset(0, "m"), calendar=calendar, window=window, tz=VIETNAM)
    )
    assert calendar.is_working_day(sent.date())
    assert window.contains(sent.time())
    assert sent <= deadline
    assert deadline.date() <= due


def test_day_offsets_spread_over_the_first_minutes_of_the_window_by_contact():
    from datetime import timedelta

    from schedules.calendar import MORNING_SPREAD, SendWindow, spread_in_window

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    window = SendWindow.parse("08:00-17:00")
    start = datetime(2026, 6, 1, 8, 0, tzinfo=zone).astimezone(UTC)
    moments = [spread_in_window(start, key, window=window, tz=zone) for key in range(1, 301)]
    assert all(start <= m < start + MORNING_SPREAD for m in moments)
    assert len({m.replace(second=0) for m in moments}) == 15  # every minute gets some
    assert spread_in_window(start, 7, window=window, tz=zone) == moments[6]  # stable per key
    later = start + timedelta(hours=2)  # an hour offset ("2h") is kept as planned
    assert spread_in_window(later, 7, window=window, tz=zone) == later

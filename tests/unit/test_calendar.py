"""The Chinese working-day calendar: holidays, weekends and 调休 make-up days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.calendar import CHINA_TZ, END_OF_DAY, WorkingCalendar


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    """The calendar in Asia/Shanghai."""
    return WorkingCalendar()


def shanghai(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment on that day in Asia/Shanghai."""
    return datetime(year, month, day, hour, tzinfo=CHINA_TZ)


def end_of(year: int, month: int, day: int) -> datetime:
    """The last second of that working day in Asia/Shanghai."""
    return datetime.combine(date(year, month, day), END_OF_DAY, tzinfo=CHINA_TZ)


def test_saturday_2026_02_14_is_a_make_up_working_day(calendar: WorkingCalendar) -> None:
    assert date(2026, 2, 14).weekday() == 5
    assert calendar.is_working_day(date(2026, 2, 14))


def test_saturday_2026_02_28_is_a_make_up_working_day(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2026, 2, 28))


@pytest.mark.parametrize("day", range(16, 24))
def test_spring_festival_2026_is_not_worked(calendar: WorkingCalendar, day: int) -> None:
    assert not calendar.is_working_day(date(2026, 2, day))


def test_work_resumes_after_the_spring_festival(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2026, 2, 24))


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2026, 3, 8), date(2026, 6, 13)])
def test_ordinary_weekends_are_not_worked(calendar: WorkingCalendar, day: date) -> None:
    assert day.weekday() >= 5
    assert not calendar.is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 3, 6), date(2026, 6, 10)])
def test_ordinary_weekdays_are_worked(calendar: WorkingCalendar, day: date) -> None:
    assert calendar.is_working_day(day)


@pytest.mark.parametrize("day", range(1, 8))
def test_national_day_week_2026_is_not_worked(calendar: WorkingCalendar, day: int) -> None:
    assert not calendar.is_working_day(date(2026, 10, day))


def test_national_day_make_up_days_2026_are_worked(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2026, 9, 20))  # Sunday
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday
    assert calendar.is_working_day(date(2026, 10, 8))


def test_five_working_days_from_wednesday_2026_02_11_skip_the_spring_festival(
    calendar: WorkingCalendar,
) -> None:
    # Thu 12, Fri 13, Sat 14 (调休), then the holiday, then Tue 24 and Wed 25.
    due = calendar.add_working_days(shanghai(2026, 2, 11), 5)

    assert due == end_of(2026, 2, 25)
    assert due.tzinfo is CHINA_TZ
    assert (due.hour, due.minute, due.second) == (23, 59, 59)


def test_friday_plus_five_working_days_is_the_next_friday(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(shanghai(2026, 3, 6), 5) == end_of(2026, 3, 13)


def test_the_start_day_itself_does_not_count(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(shanghai(2026, 3, 2, 0), 1) == end_of(2026, 3, 3)


def test_working_days_over_national_day_count_the_make_up_saturday(
    calendar: WorkingCalendar,
) -> None:
    # Wed 30 Sep, then the holiday until 7 Oct, then Thu 8, Fri 9, Sat 10 (调休).
    assert calendar.add_working_days(shanghai(2026, 9, 29), 4) == end_of(2026, 10, 10)


def test_the_start_day_is_the_local_date_in_shanghai(calendar: WorkingCalendar) -> None:
    # 20:00 UTC on Thursday is already 04:00 on Friday in Shanghai.
    start = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)

    assert calendar.local_date(start) == date(2026, 3, 6)
    assert calendar.add_working_days(start, 1) == end_of(2026, 3, 9)


def test_a_deadline_needs_at_least_one_working_day(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="at least one working day"):
        calendar.add_working_days(shanghai(2026, 3, 2), 0)


def test_working_days_between_counts_make_up_days_and_skips_holidays(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.working_days_between(date(2026, 2, 11), date(2026, 2, 25)) == 5
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0

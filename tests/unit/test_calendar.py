"""The Chinese working-day calendar: holidays, weekends and 调休 make-up days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from domain.calendar import (
    CHINA_TZ,
    END_OF_DAY,
    CalendarAdjustments,
    WorkingCalendar,
    configure,
    configured,
)
from projections.metrics import WorkingHours

#: A year whose published schedule no release of `holidays` will hold for years to come.
FAR = 2031


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


# -- the published schedule of a year the holidays package does not hold yet --------------

#: As a notice for FAR might read: Friday 7 Feb off in exchange for Saturday 15 Feb.
NOTICE = CalendarAdjustments(
    days_off=frozenset({date(FAR, 2, 7)}),
    working_days=frozenset({date(FAR, 2, 15)}),
    years=frozenset({FAR}),
)


@pytest.fixture
def configured_notice() -> Iterator[None]:
    """NOTICE configured for the process during the test."""
    before = configured()
    configure(NOTICE)
    yield
    configure(before)


def test_the_listed_days_off_and_make_up_days_move_a_deadline() -> None:
    projected, published = WorkingCalendar(), WorkingCalendar(adjustments=NOTICE)
    thursday = shanghai(FAR, 2, 6)

    # Projected: Fri 7 and Mon 10 to Thu 13 are the five working days.
    assert projected.add_working_days(thursday, 5) == end_of(FAR, 2, 13)
    # Published: Fri 7 is off, Sat 15 is worked.
    assert published.add_working_days(thursday, 5) == end_of(FAR, 2, 14)
    assert published.add_working_days(thursday, 6) == end_of(FAR, 2, 15)


def test_a_year_is_known_from_the_package_or_from_the_listed_schedule() -> None:
    assert WorkingCalendar().schedule_known(2026)
    assert not WorkingCalendar().schedule_known(FAR)
    assert WorkingCalendar(adjustments=NOTICE).schedule_known(FAR)


def test_the_years_counted_on_a_projection_are_those_deadlines_set_now_may_reach() -> None:
    calendar = WorkingCalendar()

    assert calendar.projected_years(shanghai(FAR - 1, 6, 1)) == [FAR - 1]
    assert calendar.projected_years(shanghai(FAR - 1, 11, 22)) == [FAR - 1, FAR]
    assert WorkingCalendar(adjustments=NOTICE).projected_years(shanghai(FAR, 11, 22)) == [FAR + 1]


def test_calendars_without_their_own_adjustments_count_with_the_configured_ones(
    configured_notice: None,
) -> None:
    assert not WorkingCalendar().is_working_day(date(FAR, 2, 7))
    assert WorkingCalendar().is_working_day(date(FAR, 2, 15))


def test_the_working_hour_clock_counts_again_once_the_calendar_is_configured() -> None:
    hours = WorkingHours()
    friday = shanghai(FAR, 2, 7, 17)
    before = hours.between(shanghai(FAR, 2, 7, 8), friday)
    previous = configured()
    configure(NOTICE)
    try:
        after = hours.between(shanghai(FAR, 2, 7, 8), friday)
    finally:
        configure(previous)

    assert (before, after) == (9.0, 0.0)


@pytest.mark.parametrize(
    ("days_off", "working_days", "message"),
    [
        ({date(FAR, 2, 7)}, {date(FAR, 2, 7)}, "both as a day off and a working day"),
        ({date(FAR + 1, 2, 7)}, set(), "not in a year the adjustments cover"),
    ],
)
def test_adjustments_refuse_a_day_both_off_and_worked_or_outside_their_years(
    days_off: set[date], working_days: set[date], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CalendarAdjustments(
            days_off=frozenset(days_off),
            working_days=frozenset(working_days),
            years=frozenset({FAR}),
        )

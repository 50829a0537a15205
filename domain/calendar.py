"""The Chinese working-day calendar: public holidays and weekend make-up days (调休).

The `holidays` package knows the State Council's schedule (国务院办公厅关于部分节假日安排的
通知) for the years up to its release; for a later year it only projects the statutory
holidays, without the make-up working days. Each year's schedule is published in the
autumn before it, so for some weeks a service would count next year's deadlines on a
projection. `CalendarAdjustments` carries the published schedule's days where the package
lacks them (loaded from the file `HUIYIN_CALENDAR_FILE` names), and `schedule_known` says
for which years the calendar holds the published schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

CHINA_TZ = ZoneInfo("Asia/Shanghai")

#: The last moment of a working day by which a working-day deadline falls due.
END_OF_DAY = time(23, 59, 59)

#: How far ahead deadlines set today may fall (the longest setting, 60 working days, is
#: about three months).
DEADLINE_HORIZON = timedelta(days=90)


@dataclass(frozen=True)
class CalendarAdjustments:
    """Days of the published schedule that the `holidays` package does not have yet."""

    #: Days off: holidays, and weekdays given off in exchange for a make-up day.
    days_off: frozenset[date] = frozenset()
    #: Working days: make-up weekend days (调休), and days the package has off wrongly.
    working_days: frozenset[date] = frozenset()
    #: The years whose published schedule these days complete.
    years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        both = self.days_off & self.working_days
        if both:
            raise ValueError(f"{sorted(both)[0]} is listed both as a day off and a working day")
        for day in self.days_off | self.working_days:
            if day.year not in self.years:
                raise ValueError(f"{day} is not in a year the adjustments cover")


def _published_years() -> frozenset[int]:
    """The years whose published schedule the `holidays` package holds: it lists each one's
    days off taken in exchange for make-up days (none found: none assumed)."""
    from holidays.countries.china import ChinaStaticHolidays

    years = getattr(ChinaStaticHolidays, "special_public_holidays", {})
    return frozenset(year for year in years if isinstance(year, int))


PUBLISHED_YEARS = _published_years()

#: The adjustments every calendar made without its own uses: set once when a process starts
#: (`configure`), before any deadline is counted.
_configured = CalendarAdjustments()


def configure(adjustments: CalendarAdjustments) -> None:
    """Makes `adjustments` the ones every calendar of this process counts with."""
    global _configured  # process-wide, like the time-zone database
    _configured = adjustments


def configured() -> CalendarAdjustments:
    """The adjustments calendars of this process count with."""
    return _configured


class WorkingCalendar:
    """Counts working days as Chinese workplaces do, including 调休 Saturdays and Sundays."""

    def __init__(
        self, tz: ZoneInfo = CHINA_TZ, adjustments: CalendarAdjustments | None = None
    ) -> None:
        self.tz = tz
        self._holidays = holidays.country_holidays("CN")
        self._adjustments = adjustments

    @property
    def adjustments(self) -> CalendarAdjustments:
        """The published days this calendar counts with beyond the `holidays` package."""
        return _configured if self._adjustments is None else self._adjustments

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day (a weekday that is not a holiday, or a make-up day)."""
        adjustments = self.adjustments
        if day in adjustments.working_days:
            return True
        if day in adjustments.days_off:
            return False
        return bool(self._holidays.is_working_day(day))

    def schedule_known(self, year: int) -> bool:
        """Whether the calendar holds the published schedule of `year`, not a projection."""
        return year in PUBLISHED_YEARS or year in self.adjustments.years

    def projected_years(self, moment: datetime, ahead: timedelta = DEADLINE_HORIZON) -> list[int]:
        """The years a deadline set at `moment` may fall in (up to `ahead` later) whose
        published schedule the calendar does not hold: it counts them on a projection."""
        first, last = self.local_date(moment), self.local_date(moment + ahead)
        return [year for year in range(first.year, last.year + 1) if not self.schedule_known(year)]

    def local_date(self, moment: datetime) -> date:
        """The calendar date of `moment` in the calendar's time zone."""
        return moment.astimezone(self.tz).date()

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after the day of `start`.

        The day of `start` itself does not count, as in "答复时限：5个工作日内":
        a case transferred on a Friday with 5 working days is due at the end of
        the following Friday, unless holidays or make-up days move it.
        """
        if days < 1:
            raise ValueError("a working-day deadline needs at least one working day")
        day = self.local_date(start)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, END_OF_DAY, tzinfo=self.tz)

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days fall after `start` up to and including `end`."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

"""The Chinese working-day calendar: public holidays and weekend make-up days (调休)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

CHINA_TZ = ZoneInfo("Asia/Shanghai")

#: The last moment of a working day by which a working-day deadline falls due.
END_OF_DAY = time(23, 59, 59)


class WorkingCalendar:
    """Counts working days as Chinese workplaces do, including 调休 Saturdays and Sundays."""

    def __init__(self, tz: ZoneInfo = CHINA_TZ) -> None:
        self.tz = tz
        self._holidays = holidays.country_holidays("CN")

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day (a weekday that is not a holiday, or a make-up day)."""
        return bool(self._holidays.is_working_day(day))

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

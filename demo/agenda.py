"""The demo's clock-ordered agenda: steps planned at their moments, run in time order.

Each runner of the demo (meetings, accountability, the disclosure board) plans its steps at
historical moments, then runs them in time order with the manual clock set to each step's
moment first, so the events carry the times of the story. A step may plan further steps.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from application.clock import ManualClock
from domain.calendar import WorkingCalendar

Step = Callable[[], object]


class Agenda:
    """Steps at their moments, and the office hours of working days to place them in."""

    def __init__(self, clock: ManualClock, rng: random.Random, calendar: WorkingCalendar) -> None:
        self.clock = clock
        self.rng = rng
        self.cal = calendar
        self._queue: list[tuple[datetime, int, Step]] = []
        self._seq = itertools.count()

    def push(self, moment: datetime, step: Step) -> None:
        """Plans `step` at `moment` (after the steps planned at that moment before it)."""
        heapq.heappush(self._queue, (moment, next(self._seq), step))

    def run(self) -> None:
        """Runs every step in time order, the clock set to its moment first."""
        while self._queue:
            moment, _, step = heapq.heappop(self._queue)
            self.clock.set(moment)
            step()

    def tick(self) -> None:
        """A few minutes pass between commands of one step."""
        self.clock.advance(timedelta(minutes=self.rng.randint(2, 15)))

    def office(self, day: date, hour: int, minute: int = 0) -> datetime:
        """`hour`:`minute` on `day`, in the calendar's time zone."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.cal.tz)

    def working_day(self, day: date, step: int = 1) -> date:
        """`day`, or the nearest working day after it (`step` 1) or before it (−1)."""
        while not self.cal.is_working_day(day):
            day += timedelta(days=step)
        return day

    def later(self, moment: datetime, working_days: int, hour: int = 10) -> datetime:
        """`hour` o'clock (and a few minutes) `working_days` working days after `moment`."""
        day = self.cal.local_date(self.cal.add_working_days(moment, working_days))
        return self.office(self.working_day(day), hour, self.rng.randint(0, 50))

"""The numbers and dates meetings are held to: quarters, due dates, coverage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.calendar import END_OF_DAY, WorkingCalendar
from domain.deadlines import Deadline, DeadlineAct
from domain.errors import InvalidInput
from domain.meeting_terms import MeetingKind
from domain.terms import Tier

#: A talk session takes at most this many participants.
TALK_PARTICIPANT_LIMIT = 10

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written `2026-Q2`."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4 or not 2000 <= self.year <= 2100:
            raise InvalidInput("quarter", f"{self.year}-Q{self.number} is not a quarter")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """The quarter written as `2026-Q2` (or `2026Q2`)."""
        match = _QUARTER.match(text.strip().upper())
        if match is None:
            raise InvalidInput("quarter", f"{text!r} is not a quarter like 2026-Q2")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter `day` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_month(self) -> int:
        """The quarter's first month (1, 4, 7 or 10)."""
        return 3 * (self.number - 1) + 1

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class MeetingPolicy:
    """When joint meetings and congresses owe what; the numbers come from settings."""

    joint_meeting_before_day: int = 5
    item_list_working_days: int = 3
    congress_assignment_working_days: int = 7

    def holding_deadline(
        self, kind: MeetingKind, quarter: Quarter | None, calendar: WorkingCalendar
    ) -> Deadline | None:
        """A joint meeting is held before the 5th of its quarter's first month; others any time."""
        if kind is not MeetingKind.JOINT_MEETING or quarter is None:
            return None
        first = date(quarter.year, quarter.first_month, self.joint_meeting_before_day)
        due = datetime.combine(first - timedelta(days=1), END_OF_DAY, tzinfo=calendar.tz)
        return Deadline(
            due=due,
            act=DeadlineAct.HOLD,
            rule="meeting.joint-hold",
            basis=(
                f"hold the {quarter} joint meeting before day {self.joint_meeting_before_day} "
                "of the quarter's first month"
            ),
        )

    def publication_deadline(
        self, kind: MeetingKind, held_at: datetime, calendar: WorkingCalendar
    ) -> Deadline | None:
        """What a held meeting must publish, and by when: item list, or proposal assignments."""
        if kind is MeetingKind.JOINT_MEETING:
            days, rule, what = self.item_list_working_days, "meeting.joint-item-list", "item list"
        elif kind is MeetingKind.CONGRESS:
            days = self.congress_assignment_working_days
            rule, what = "meeting.congress-assignments", "proposal assignment results"
        else:
            return None
        return Deadline(
            due=calendar.add_working_days(held_at, days),
            act=DeadlineAct.PUBLISH,
            rule=rule,
            basis=f"publish the {what} within {days} working days of the meeting",
        )


@dataclass(frozen=True)
class RecentAttendance:
    """Who attended a talk of a tier since a moment: the people coverage would repeat."""

    tier: Tier
    since: datetime
    people: frozenset[str]


@dataclass(frozen=True)
class Coverage:
    """How much of a tier the talks reached (全覆盖): distinct people reached / people in it."""

    tier: Tier
    since: datetime | None
    reached: int
    population: int

    def __post_init__(self) -> None:
        if self.population < 0:
            raise InvalidInput("population", "cannot be negative")

    @property
    def ratio(self) -> Decimal:
        """The share reached, 0 to 1 (people who left the tier can push it past 1)."""
        if self.population == 0:
            return Decimal(0)
        return (Decimal(self.reached) / Decimal(self.population)).quantize(Decimal("0.0001"))

    @property
    def complete(self) -> bool:
        """Whether everyone in the tier was reached."""
        return self.population > 0 and self.reached >= self.population

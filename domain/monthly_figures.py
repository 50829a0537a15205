"""The figures of a month's thought-dynamics report, computed from the recorded events.

`compute_figures` is a pure function over domain events (no I/O), so the report's numbers
can be checked against hand-built events. It holds counts and case numbers only: never an
appellant's name, employee number or contact, so anonymous appeals stay anonymous.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from domain.action_item import ActionItem
from domain.appeal import Appeal
from domain.appeal_figures import is_satisfied, resolves
from domain.calendar import CHINA_TZ
from domain.errors import InvalidInput
from domain.meeting import Meeting
from domain.meeting_terms import MeetingKind
from domain.penalty import Penalty
from domain.terms import Channel, Tier

#: How many of the fastest-rising categories the risks section names.
RISING_CATEGORIES = 3
#: An appeal reopened this many times or more is a risk of its own (反复重开).
REPEATED_REOPENINGS = 2

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

#: The events the figures are computed from; a reader may fetch only these.
FIGURE_EVENTS: tuple[type[Any], ...] = (
    Appeal.Raised,
    Appeal.AnsweredOnSpot,
    Appeal.Replied,
    Appeal.Closed,
    Appeal.Rated,
    Appeal.Reopened,
    Appeal.DeadlineMissed,
    ActionItem.Created,
    ActionItem.MarkedOverdue,
    Meeting.Held,
    Penalty.Recorded,
    Penalty.Reversed,
)


@dataclass(frozen=True, order=True)
class ReportMonth:
    """A calendar month in China time, written `2026-10`."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2100:
            raise InvalidInput("month", f"{self.year}-{self.month:02d} is not a month")

    @classmethod
    def parse(cls, text: str) -> ReportMonth:
        """The month written as `2026-10`."""
        match = _MONTH.match(text.strip())
        if match is None:
            raise InvalidInput("month", f"{text!r} is not a month like 2026-10")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> ReportMonth:
        """The month `moment` falls in, in China time."""
        local = moment.astimezone(CHINA_TZ)
        return cls(local.year, local.month)

    @property
    def first_day(self) -> date:
        """The month's first day."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The month's last day."""
        return self.following().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The month's first moment, China time."""
        return datetime.combine(self.first_day, time(0), tzinfo=CHINA_TZ)

    @property
    def end(self) -> datetime:
        """The first moment after the month (the next month's start), China time."""
        return self.following().start

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` falls in the month."""
        return self.start <= moment < self.end

    def previous(self) -> ReportMonth:
        """The month before."""
        if self.month == 1:
            return ReportMonth(self.year - 1, 12)
        return ReportMonth(self.year, self.month - 1)

    def following(self) -> ReportMonth:
        """The month after."""
        if self.month == 12:
            return ReportMonth(self.year + 1, 1)
        return ReportMonth(self.year, self.month + 1)

    @property
    def label(self) -> str:
        """The month in Chinese, e.g. 2026年10月."""
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class CategoryRise:
    """A category of appeals that rose against the month before."""

    category: str
    count: int
    previous: int
    growth: int
    #: Growth against the previous month in percent; None when the previous month had none.
    growth_percent: int | None


@dataclass(frozen=True)
class RepeatedReopening:
    """An appeal reopened in the month that has now been reopened two or more times."""

    case_number: str
    reopenings: int


@dataclass(frozen=True)
class PenaltyTally:
    """A department's penalties recorded in the month; reversed ones take no points."""

    recorded: int
    reversed: int
    points: int


@dataclass(frozen=True)
class MonthlyFigures:
    """What happened in a month, by the events; counts and case numbers only."""

    month: str
    tier_talks: dict[str, int]
    special_talks: dict[str, int]
    appeals_raised: int
    appeals_by_category: dict[str, int]
    appeals_by_tier: dict[str, int]
    appeals_by_channel: dict[str, int]
    answered: int
    resolved: int
    rated: int
    satisfied: int
    overdue_appeals: list[str]
    missed_deadlines: int
    overdue_action_items: dict[str, int]
    reopened_appeals: list[str]
    reopenings: int
    penalties: dict[str, PenaltyTally]
    rising_categories: list[CategoryRise] = field(default_factory=list)
    repeated_reopenings: list[RepeatedReopening] = field(default_factory=list)

    @property
    def talks_held(self) -> int:
        """Tier talks and special talks held in the month."""
        return sum(self.tier_talks.values()) + sum(self.special_talks.values())

    @property
    def satisfaction_percent(self) -> int | None:
        """Satisfied or basically satisfied ratings, in percent of ratings; None unrated."""
        return round(100 * self.satisfied / self.rated) if self.rated else None

    @property
    def penalty_points(self) -> int:
        """The points the month's penalties take, reversed ones not counted (negative)."""
        return sum(t.points for t in self.penalties.values())

    @property
    def overdue_action_items_total(self) -> int:
        """Action items marked overdue in the month."""
        return sum(self.overdue_action_items.values())

    def to_record(self) -> dict[str, Any]:
        """The figures as stored inside an event and shown over HTTP."""
        record = asdict(self)
        record.update(
            talks_held=self.talks_held,
            satisfaction_percent=self.satisfaction_percent,
            penalty_points=self.penalty_points,
        )
        return record


def compute_figures(events: Iterable[Any], month: ReportMonth) -> MonthlyFigures:
    """The month's figures from the events, oldest first, from the very first one.

    Events before the month tell each appeal's case number and category and each action
    item's department; the month before gives the baseline of rising categories. Events after
    the month are left out, except reversals: a penalty of the month reversed later takes no
    points, so redrafting picks up what the committee decided since.
    """
    tally = _Tally(month)
    for event in events:
        tally.add(event)
    return tally.figures()


@dataclass
class _Tally:
    month: ReportMonth
    case_numbers: dict[UUID, str] = field(default_factory=dict)
    item_departments: dict[UUID, str] = field(default_factory=dict)
    tier_talks: Counter[str] = field(default_factory=Counter)
    special_talks: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    previous_categories: Counter[str] = field(default_factory=Counter)
    tiers: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    answered: set[UUID] = field(default_factory=set)
    resolved: set[UUID] = field(default_factory=set)
    rated: int = 0
    satisfied: int = 0
    overdue: set[UUID] = field(default_factory=set)
    missed: int = 0
    overdue_items: Counter[str] = field(default_factory=Counter)
    reopened: set[UUID] = field(default_factory=set)
    reopenings_in_month: int = 0
    reopenings_to_date: Counter[UUID] = field(default_factory=Counter)
    penalties: dict[UUID, tuple[str, int]] = field(default_factory=dict)
    reversed: set[UUID] = field(default_factory=set)

    def add(self, event: Any) -> None:
        at: datetime = event.timestamp
        if isinstance(event, Penalty.Reversed):
            self.reversed.add(event.originator_id)
            return
        if at >= self.month.end:
            return
        in_month = at >= self.month.start
        key: UUID = event.originator_id
        if isinstance(event, Appeal.Raised):
            self.case_numbers[key] = event.case_number
            if in_month:
                self.categories[event.category] += 1
                self.channels[event.channel] += 1
                if event.tier:
                    self.tiers[event.tier] += 1
            elif self.month.previous().contains(at):
                self.previous_categories[event.category] += 1
        elif isinstance(event, ActionItem.Created):
            self.item_departments[key] = event.department
        elif isinstance(event, Appeal.Reopened):
            self.reopenings_to_date[key] += 1
            if in_month:
                self.reopened.add(key)
                self.reopenings_in_month += 1
        elif in_month:
            self._add_in_month(event, key)

    def _add_in_month(self, event: Any, key: UUID) -> None:
        if isinstance(event, Meeting.Held):
            if event.kind == MeetingKind.TIER_TALK.value and event.tier:
                self.tier_talks[event.tier] += 1
            elif MeetingKind(event.kind).is_talk:
                self.special_talks[event.kind] += 1
        elif isinstance(event, Appeal.Event):
            self._add_appeal_event(event, key)
        elif isinstance(event, ActionItem.MarkedOverdue):
            self.overdue_items[self.item_departments.get(key, "")] += 1
        elif isinstance(event, Penalty.Recorded):
            self.penalties[key] = (event.department, event.points)

    def _add_appeal_event(self, event: Appeal.Event, key: UUID) -> None:
        # Resolved and satisfied as the appeal figures count them (`domain.appeal_figures`).
        if isinstance(event, (Appeal.AnsweredOnSpot, Appeal.Replied)):
            self.answered.add(key)
        if resolves(event):
            self.resolved.add(key)
        if isinstance(event, Appeal.Rated):
            self.rated += 1
            if is_satisfied(event.rating):
                self.satisfied += 1
        elif isinstance(event, Appeal.DeadlineMissed):
            self.overdue.add(key)
            self.missed += 1

    def figures(self) -> MonthlyFigures:
        return MonthlyFigures(
            month=str(self.month),
            tier_talks=_in_order(self.tier_talks, [t.value for t in Tier]),
            special_talks=_in_order(
                self.special_talks,
                [k.value for k in MeetingKind if k.is_talk and k is not MeetingKind.TIER_TALK],
            ),
            appeals_raised=sum(self.categories.values()),
            appeals_by_category=_by_count(self.categories),
            appeals_by_tier=_in_order(self.tiers, [t.value for t in Tier]),
            appeals_by_channel=_in_order(self.channels, [c.value for c in Channel]),
            answered=len(self.answered),
            resolved=len(self.resolved),
            rated=self.rated,
            satisfied=self.satisfied,
            overdue_appeals=self._case_numbers(self.overdue),
            missed_deadlines=self.missed,
            overdue_action_items=_by_count(self.overdue_items),
            reopened_appeals=self._case_numbers(self.reopened),
            reopenings=self.reopenings_in_month,
            penalties=self._penalties(),
            rising_categories=self._rising(),
            repeated_reopenings=[
                RepeatedReopening(self.case_numbers.get(key, "?"), self.reopenings_to_date[key])
                for key in sorted(self.reopened, key=lambda k: self.case_numbers.get(k, ""))
                if self.reopenings_to_date[key] >= REPEATED_REOPENINGS
            ],
        )

    def _case_numbers(self, keys: set[UUID]) -> list[str]:
        return sorted(self.case_numbers.get(key, "?") for key in keys)

    def _penalties(self) -> dict[str, PenaltyTally]:
        by_department: dict[str, list[tuple[int, bool]]] = {}
        for key, (department, points) in self.penalties.items():
            by_department.setdefault(department, []).append((points, key in self.reversed))
        return {
            department: PenaltyTally(
                recorded=len(entries),
                reversed=sum(1 for _, undone in entries if undone),
                points=sum(points for points, undone in entries if not undone),
            )
            for department, entries in sorted(by_department.items())
        }

    def _rising(self) -> list[CategoryRise]:
        rises = [
            CategoryRise(
                category=category,
                count=count,
                previous=self.previous_categories[category],
                growth=count - self.previous_categories[category],
                growth_percent=(
                    round(100 * (count - before) / before)
                    if (before := self.previous_categories[category])
                    else None
                ),
            )
            for category, count in self.categories.items()
            if count > self.previous_categories[category]
        ]
        # Most new appeals first; at equal growth the faster rate (a new category: fastest).
        rises.sort(key=lambda r: (-r.growth, -_rate(r), r.category))
        return rises[:RISING_CATEGORIES]


def _rate(rise: CategoryRise) -> float:
    return float("inf") if rise.growth_percent is None else rise.growth_percent


def _in_order(counts: Counter[str], order: list[str]) -> dict[str, int]:
    known = {key: counts[key] for key in order if counts[key]}
    return known | {key: n for key, n in sorted(counts.items()) if key not in known and n}


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return {key: n for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n}

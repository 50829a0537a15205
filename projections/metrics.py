"""Response-rate metrics (诉求三率 and more): facts about appeals, action items and penalties.

The projection tells the view what each event makes true of an appeal — it was raised,
assigned to a department, first responded to (in time or not), replied to (late or not),
resolved, rated, reopened; its deadline in force changed — and the view keeps each appeal's
row and every version of it. Figures for a period are computed from the appeals raised in
it; `as_of` gives them exactly as they stood at a moment, so a ranking published last month
can be reproduced.

Working hours are 08:00–17:00 China time on working days (make-up days included, holidays
excluded). Each event carries the "working-hour clock" reading of its moment — the working
hours elapsed since 2000-01-01 — so working hours between two moments are a subtraction.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import singledispatchmethod
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Tracking

from domain.action_item import ActionItem
from domain.appeal import Appeal
from domain.appeal_figures import Figure, replies, resolves, responds
from domain.calendar import CHINA_TZ, WorkingCalendar
from domain.card import Card
from domain.errors import InvalidInput
from domain.penalty import Penalty
from projections.scope import ReadScope
from projections.view import View, ViewProjection

# -- pure helpers ------------------------------------------------------------------------

WORK_START = time(8, 0)
WORK_END = time(17, 0)
WORK_DAY_HOURS = 9.0
EPOCH = date(2000, 1, 1)


class WorkingHours:
    """The working-hour clock: working hours (08:00–17:00 local, working days) since EPOCH."""

    def __init__(self, calendar: WorkingCalendar | None = None) -> None:
        self.calendar = calendar or WorkingCalendar()
        self._before: list[float] = [0.0]  # working hours before EPOCH + n days
        self._working: dict[date, bool] = {}  # asked for every event: a rebuild asks 10^5×
        self._counted_with = self.calendar.adjustments  # what the two above were counted with

    def _is_working_day(self, day: date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = self.calendar.is_working_day(day)
        return working

    def _hours_before(self, day: date) -> float:
        index = (day - EPOCH).days
        if index <= 0:
            return 0.0
        while len(self._before) <= index:
            previous = EPOCH + timedelta(days=len(self._before) - 1)
            worked = WORK_DAY_HOURS if self._is_working_day(previous) else 0.0
            self._before.append(self._before[-1] + worked)
        return self._before[index]

    def clock(self, moment: datetime) -> float:
        """Working hours from EPOCH up to `moment` (time-zone aware)."""
        if self.calendar.adjustments is not self._counted_with:  # configured since: count again
            self._counted_with = self.calendar.adjustments
            self._before, self._working = [0.0], {}
        local = moment.astimezone(self.calendar.tz)
        day = local.date()
        if day < EPOCH:
            return 0.0
        hours = self._hours_before(day)
        if self._is_working_day(day):
            start = datetime.combine(day, WORK_START, tzinfo=self.calendar.tz)
            end = datetime.combine(day, WORK_END, tzinfo=self.calendar.tz)
            within = min(max(local, start), end) - start
            hours += within.total_seconds() / 3600
        return hours

    def between(self, start: datetime, end: datetime) -> float:
        """Working hours from `start` to `end`."""
        return self.clock(end) - self.clock(start)


_HOURS = WorkingHours()


@dataclass(frozen=True)
class Period:
    """A reporting period in China time: [start, end)."""

    label: str
    start: datetime
    end: datetime


_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$")


def parse_period(text: str) -> Period:
    """`2026-11` (month), `2026-Q4`, `2026-H2` or `2026`; ValueError for anything else."""
    match = _PERIOD.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a month (2026-11), quarter (2026-Q4), half (2026-H2)")
    year = int(match[1])
    if match[2]:
        first, months = int(match[2]), 1
        if not 1 <= first <= 12:
            raise ValueError(f"{text!r} names no month")
    elif match[3]:
        first, months = 3 * int(match[3]) - 2, 3
    elif match[4]:
        first, months = 6 * int(match[4]) - 5, 6
    else:
        first, months = 1, 12
    after = first + months
    end_year, end_month = (year + 1, after - 12) if after > 12 else (year, after)
    return Period(
        text.strip(),
        datetime(year, first, 1, tzinfo=CHINA_TZ),
        datetime(end_year, end_month, 1, tzinfo=CHINA_TZ),
    )


def month_of(moment: datetime) -> str:
    """The month label (`2026-11`) of a moment, in China time."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m")


def past_moment(as_of: datetime | None, now: datetime) -> datetime | None:
    """`as_of`, refused when it is after `now`: how figures will stand later is not known
    yet (an appeal open now may be answered by then, or go overdue), and computing them with
    a later clock would count as overdue every deadline that falls before it."""
    if as_of is not None and as_of > now:
        raise InvalidInput(
            "as_of",
            f"{as_of.isoformat()} is after the present ({now.isoformat()}): figures are known "
            "only up to now; leave as_of out for the current ones",
        )
    return as_of


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator/denominator to four decimals; None when nothing is in the denominator."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


# -- what the figures are ------------------------------------------------------------------


class Dimension(StrEnum):
    """What appeal figures are grouped by."""

    DEPARTMENT = "department"
    CHANNEL = "channel"
    TIER = "tier"
    CATEGORY = "category"


class Duration(StrEnum):
    """Times measured from raising the appeal, in wall-clock or working hours."""

    RESPONSE_HOURS = "response_hours"
    RESPONSE_WORK_HOURS = "response_work_hours"
    REPLY_HOURS = "reply_hours"
    REPLY_WORK_HOURS = "reply_work_hours"


@dataclass(frozen=True)
class AppealQuery:
    """Appeals raised in [start, end), as the facts stood at `as_of` (None: now, live)."""

    start: datetime
    end: datetime
    now: datetime
    as_of: datetime | None = None
    department: str | None = None
    channel: str | None = None
    tier: str | None = None
    category: str | None = None
    scope: ReadScope | None = None  # None: every appeal

    @property
    def moment(self) -> datetime:
        """The moment the figures describe."""
        return self.as_of or self.now


@dataclass(frozen=True)
class AppealGroup:
    """One row of the appeal table: a group's counts and time quantiles (hours)."""

    key: str
    counts: dict[Figure, int]
    quantiles: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseRef:
    """A case behind a figure."""

    id: UUID
    case_number: str


@dataclass(frozen=True)
class ActionItemGroup:
    """A department's action items due in the period."""

    department: str
    due: int
    submitted: int
    accepted: int
    accepted_on_time: int


@dataclass(frozen=True)
class PenaltyGroup:
    """A department's penalties and cards in the period."""

    department: str
    penalties: int
    reversed: int
    points: int
    yellow_cards: int
    red_cards: int


class ItemFigure(StrEnum):
    """Counts of action items due in the period (the columns of `ActionItemGroup`)."""

    DUE = "due"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ACCEPTED_ON_TIME = "accepted_on_time"


class ItemRate(StrEnum):
    """Action-item rates: one count over another."""

    ON_TIME_RATE = "on_time_rate"
    ACCEPTANCE_RATE = "acceptance_rate"


ITEM_RATES: dict[ItemRate, tuple[ItemFigure, ItemFigure]] = {
    ItemRate.ON_TIME_RATE: (ItemFigure.ACCEPTED_ON_TIME, ItemFigure.DUE),
    ItemRate.ACCEPTANCE_RATE: (ItemFigure.ACCEPTED, ItemFigure.SUBMITTED),
}


class PenaltyFigure(StrEnum):
    """Counts of penalties recorded and cards issued in the period (the columns of
    `PenaltyGroup`; `points` lists the penalties whose points still count)."""

    PENALTIES = "penalties"
    REVERSED = "reversed"
    POINTS = "points"
    YELLOW_CARDS = "yellow_cards"
    RED_CARDS = "red_cards"


#: The penalty figures that count cards, and the colour each counts.
CARD_FIGURES: dict[PenaltyFigure, str] = {
    PenaltyFigure.YELLOW_CARDS: "yellow",
    PenaltyFigure.RED_CARDS: "red",
}


@dataclass(frozen=True)
class ItemRef:
    """An action item behind a figure, with what made it count (as it stood then)."""

    id: UUID
    department: str
    deadline: datetime
    submitted_at: datetime | None
    accepted_at: datetime | None


@dataclass(frozen=True)
class PenaltyRef:
    """A penalty (points, and when reversed if it was by then) or a card (its colour)
    behind a figure."""

    id: UUID
    case_type: str  # "penalty" or "card"
    department: str
    at: datetime  # recorded (a penalty) or issued (a card)
    points: int | None = None
    reversed_at: datetime | None = None
    colour: str | None = None


# -- what the projection tells the view ----------------------------------------------------


# A named tuple: immutable, and made for every event of a rebuild in a quarter of the
# time of a frozen dataclass, which sets each field through `object.__setattr__`.
class AppealRaised(NamedTuple):
    """An appeal's dimensions, fixed when it was raised (no personal data)."""

    id: UUID
    case_number: str
    channel: str
    tier: str | None
    category: str
    department: str
    at: datetime
    work_clock: float
    response_due: datetime | None = None


# A named tuple: immutable, and made for every event of a rebuild in a quarter of the
# time of a frozen dataclass, which sets each field through `object.__setattr__`.
class AppealChange(NamedTuple):
    """The facts one appeal event makes true; the view records them in this order."""

    id: UUID
    at: datetime
    work_clock: float
    assigned_to: str | None = None
    sets_response_due: bool = False
    response_due: datetime | None = None
    responds: bool = False
    replies: bool = False
    resolves: bool = False
    rating: str | None = None
    reopens: bool = False
    sets_reply_due: bool = False
    reply_due: datetime | None = None
    sets_awaiting: bool = False
    awaiting_due: datetime | None = None


def _due(record: dict[str, Any] | None) -> datetime | None:
    return datetime.fromisoformat(record["due"]) if record else None


def appeal_change(event: Appeal.Event) -> AppealChange | None:
    """The facts an appeal event makes true, or None when it changes no figure. Whether it
    responds, replies or resolves is the domain's rule (`domain.appeal_figures`); the first
    response is the first event that responds."""
    base: dict[str, Any] = {
        "id": event.originator_id,
        "at": event.timestamp,
        "work_clock": _HOURS.clock(event.timestamp),
        "responds": responds(event),
    }
    if isinstance(event, Appeal.Transferred):  # also Retransferred
        due = _due(event.reply_deadline)
        return AppealChange(
            **base,
            assigned_to=event.department,
            # The first-response deadline runs from raising; transfers of releases before
            # recorded it again (the same due time).
            sets_response_due=event.response_deadline is not None,
            response_due=_due(event.response_deadline),
            sets_reply_due=True,
            reply_due=due,
            sets_awaiting=True,
            awaiting_due=due,
        )
    if isinstance(event, Appeal.DeadlineExtended):
        due = _due(event.reply_deadline)
        return AppealChange(
            **base, sets_reply_due=True, reply_due=due, sets_awaiting=True, awaiting_due=due
        )
    if isinstance(event, Appeal.AnsweredOnSpot):
        return AppealChange(**base, resolves=resolves(event), sets_awaiting=True)
    if replies(event):
        return AppealChange(**base, replies=True, sets_awaiting=True)
    if isinstance(event, Appeal.Rated):
        return AppealChange(**base, rating=event.rating)
    if isinstance(event, Appeal.Reopened):
        due = _due(event.reply_deadline)
        return AppealChange(
            **base,
            reopens=True,
            sets_reply_due=due is not None,
            reply_due=due,
            sets_awaiting=True,
            awaiting_due=due,
        )
    if isinstance(event, Appeal.Closed):
        return AppealChange(**base, resolves=resolves(event), sets_awaiting=True)
    if isinstance(event, (Appeal.Declined, Appeal.Withdrawn, Appeal.Adopted)):
        return AppealChange(**base, sets_awaiting=True)
    if base["responds"]:  # a department taking it on, the union reaching the appellant
        return AppealChange(**base)
    return None


# -- the view ------------------------------------------------------------------------------


class MetricsView(View):
    """Where metric facts are kept and figures computed."""

    @abstractmethod
    def appeal_raised(self, raised: AppealRaised, tracking: Tracking) -> None:
        """Adds an appeal's row and its `raised` fact."""

    @abstractmethod
    def appeal_changed(self, change: AppealChange, tracking: Tracking) -> None:
        """Records the facts an appeal event made true and updates the appeal's row."""

    @abstractmethod
    def item_created(
        self, id: UUID, department: str, deadline: datetime, at: datetime, tracking: Tracking
    ) -> None:
        """Adds an action item's row."""

    @abstractmethod
    def item_changed(
        self,
        id: UUID,
        submitted_at: datetime | None,
        accepted_at: datetime | None,
        tracking: Tracking,
    ) -> None:
        """Records when an action item was (first) submitted for, or passed, acceptance."""

    @abstractmethod
    def penalty_recorded(
        self, id: UUID, department: str, points: int, at: datetime, tracking: Tracking
    ) -> None:
        """Adds a penalty's row."""

    @abstractmethod
    def penalty_reversed(self, id: UUID, at: datetime, tracking: Tracking) -> None:
        """Marks a penalty reversed (it no longer counts)."""

    @abstractmethod
    def card_issued(
        self, id: UUID, department: str, colour: str, at: datetime, tracking: Tracking
    ) -> None:
        """Adds a red or yellow card's row."""

    @abstractmethod
    def appeal_groups(self, query: AppealQuery, group_by: Dimension) -> list[AppealGroup]:
        """Counts and time quantiles per group, largest group first."""

    @abstractmethod
    def appeal_cases(self, query: AppealQuery, figure: Figure) -> list[CaseRef]:
        """The appeals counted in a figure, by case number."""

    @abstractmethod
    def action_item_groups(
        self, start: datetime, end: datetime, as_of: datetime | None = None
    ) -> list[ActionItemGroup]:
        """Action-item figures per department for items due in [start, end), as they stood
        at `as_of` (None: now)."""

    @abstractmethod
    def penalty_groups(
        self, start: datetime, end: datetime, as_of: datetime | None = None
    ) -> list[PenaltyGroup]:
        """Penalties and cards per department recorded or issued in [start, end), as they
        stood at `as_of` (None: now; a reversal after `as_of` had not happened yet)."""

    @abstractmethod
    def action_item_cases(
        self,
        figure: ItemFigure,
        start: datetime,
        end: datetime,
        as_of: datetime | None = None,
        department: str | None = None,
        scope: ReadScope | None = None,
    ) -> list[ItemRef]:
        """The action items counted in a figure of `action_item_groups` (of one department
        when given, and those the scope reaches), by deadline; times after `as_of` left out."""

    @abstractmethod
    def penalty_cases(
        self,
        figure: PenaltyFigure,
        start: datetime,
        end: datetime,
        as_of: datetime | None = None,
        department: str | None = None,
        scope: ReadScope | None = None,
    ) -> list[PenaltyRef]:
        """The penalties or cards counted in a figure of `penalty_groups` (of one department
        when given, and those the scope reaches), oldest first; a reversal after `as_of`
        left out."""


class Metrics(ViewProjection):
    """Keeps the metric facts; every other event is skipped."""

    name = "metrics"

    @property
    def metrics(self) -> MetricsView:
        """The view, typed."""
        return self.view_as(MetricsView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events that change no figure."""
        self.ignore(tracking)

    @process_event.register
    def _(self, event: Appeal.Raised, tracking: Tracking) -> None:
        self.metrics.appeal_raised(
            AppealRaised(
                id=event.originator_id,
                case_number=event.case_number,
                channel=event.channel,
                tier=event.tier,
                category=event.category,
                department=event.department,
                at=event.timestamp,
                work_clock=_HOURS.clock(event.timestamp),
                response_due=_due(event.response_deadline),
            ),
            tracking,
        )

    @process_event.register
    def _(self, event: Appeal.Event, tracking: Tracking) -> None:
        change = appeal_change(event)
        if change is None:
            self.ignore(tracking)
        else:
            self.metrics.appeal_changed(change, tracking)

    @process_event.register
    def _(self, event: ActionItem.Created, tracking: Tracking) -> None:
        self.metrics.item_created(
            event.originator_id, event.department, event.deadline, event.timestamp, tracking
        )

    @process_event.register
    def _(self, event: ActionItem.Event, tracking: Tracking) -> None:
        if isinstance(event, ActionItem.SubmittedForAcceptance):
            self.metrics.item_changed(event.originator_id, event.timestamp, None, tracking)
        elif isinstance(event, ActionItem.Accepted):
            self.metrics.item_changed(event.originator_id, None, event.timestamp, tracking)
        else:
            self.ignore(tracking)

    @process_event.register
    def _(self, event: Penalty.Recorded, tracking: Tracking) -> None:
        self.metrics.penalty_recorded(
            event.originator_id, event.department, event.points, event.timestamp, tracking
        )

    @process_event.register
    def _(self, event: Penalty.Event, tracking: Tracking) -> None:
        if isinstance(event, Penalty.Reversed):
            self.metrics.penalty_reversed(event.originator_id, event.timestamp, tracking)
        else:
            self.ignore(tracking)

    @process_event.register
    def _(self, event: Card.Issued, tracking: Tracking) -> None:
        self.metrics.card_issued(
            event.originator_id, event.department, event.colour, event.timestamp, tracking
        )

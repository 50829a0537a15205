"""What the appeal figures count (诉求三率 and more): each rule once, for every reader.

Each appeal has one figures record (its row in the metrics view): when it was raised, the
deadlines in force, and what its events made true of it. This module says
- which events respond, reply and resolve (`responds`, `replies`, `resolves`);
- when a first response is in time and a reply late, judged when it happens against the
  deadline then in force (`RESPONSE_IN_TIME`, `REPLY_LATE`), and how long it took
  (`HOURS_SINCE_RAISED`, `WORK_HOURS_SINCE_RAISED`);
- which records count in each figure (`COUNTS`), and which figures make each rate (`RATES`).

The rules are conditions (`domain.conditions`): the metrics view writes them as SQL for its
live updates, roll-ups and case lists (`infrastructure.metrics.rules_sql`), its rebuild
evaluates them in Python, and the monthly report asks `resolves` and `is_satisfied`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from domain.appeal import FIRST_RESPONSES, Appeal
from domain.conditions import Condition, Difference, Field, FirstSet, Given, HoursBetween
from domain.terms import Outcome, Rating


class Figure(StrEnum):
    """Counts of appeals raised in the period (each appeal counted once per figure)."""

    RAISED = "raised"
    RESPONDED = "responded"
    RESPONDED_IN_TIME = "responded_in_time"
    REPLIED = "replied"
    RESOLVED = "resolved"
    RATED = "rated"
    SATISFIED = "satisfied"
    OVERDUE_OPEN = "overdue_open"
    OVERDUE_CLOSED = "overdue_closed"
    REOPENED = "reopened"
    TRANSFERRED_3_PLUS = "transferred_3_plus"


class RateName(StrEnum):
    """Rates: one count over another."""

    RESPONSE_RATE = "response_rate"  # 诉求响应率
    TIMELY_RATE = "timely_rate"  # 诉求响应及时率
    RESOLUTION_RATE = "resolution_rate"  # 诉求解决率
    SATISFACTION_RATE = "satisfaction_rate"  # 满意率


#: Each rate's numerator and denominator.
RATES: dict[RateName, tuple[Figure, Figure]] = {
    RateName.RESPONSE_RATE: (Figure.RESPONDED, Figure.RAISED),
    RateName.TIMELY_RATE: (Figure.RESPONDED_IN_TIME, Figure.RESPONDED),
    RateName.RESOLUTION_RATE: (Figure.RESOLVED, Figure.RAISED),
    RateName.SATISFACTION_RATE: (Figure.SATISFIED, Figure.RATED),
}

#: The ratings that count as satisfied (满意, 基本满意).
SATISFIED_RATINGS = frozenset({Rating.SATISFIED.value, Rating.BASICALLY_SATISFIED.value})


class Record:
    """The fields of an appeal's figures record that the rules read."""

    RAISED_AT = Field("raised_at")
    #: The working-hour clock's reading when it was raised.
    RAISED_CLOCK = Field("raised_clock")
    #: The deadlines in force: first response, reply, and the one an answer is awaited by
    #: (unset once the appeal is answered, declined or closed).
    RESPONSE_DUE = Field("response_due")
    REPLY_DUE = Field("reply_due")
    AWAITING_DUE = Field("awaiting_due")
    FIRST_RESPONSE_AT = Field("first_response_at")
    #: Whether the first response was in time (`RESPONSE_IN_TIME`, judged then).
    RESPONDED_IN_TIME = Field("responded_in_time")
    REPLIED_AT = Field("replied_at")
    #: Replies that came after the reply deadline then in force (`REPLY_LATE`).
    LATE_REPLIES = Field("late_replies")
    RESOLVED = Field("resolved")
    #: The latest rating.
    RATING = Field("rating")
    REOPENED = Field("reopened")
    TRANSFERS = Field("transfers")


#: When an event happened, and the working-hour clock's reading then (given with it).
AT = Given("at")
WORK_CLOCK = Given("work_clock")
#: The moment figures are taken at: now, or the `as_of` asked for (given with a query).
MOMENT = Given("moment")

#: A first response is in time (响应及时) when it comes by the first-response deadline in
#: force then; for an appeal without one, by its reply deadline; with neither, it is.
RESPONSE_IN_TIME: Condition = AT.by(FirstSet((Record.RESPONSE_DUE, Record.REPLY_DUE, AT)))
#: A reply is late (逾期答复) when it comes after the reply deadline in force then.
REPLY_LATE: Condition = AT.after(Record.REPLY_DUE)
#: How long an answer took: wall-clock hours since raising, and working hours.
HOURS_SINCE_RAISED = HoursBetween(Record.RAISED_AT, AT)
WORK_HOURS_SINCE_RAISED = Difference(WORK_CLOCK, Record.RAISED_CLOCK)

#: Whether an appeal's record counts in each figure; every appeal raised in the period
#: counts in `raised`.
COUNTS: Mapping[Figure, Condition] = {
    Figure.RESPONDED: Record.FIRST_RESPONSE_AT.is_set(),
    Figure.RESPONDED_IN_TIME: Record.RESPONDED_IN_TIME.is_true(),
    Figure.REPLIED: Record.REPLIED_AT.is_set(),
    Figure.RESOLVED: Record.RESOLVED.is_true(),
    Figure.RATED: Record.RATING.is_set(),
    Figure.SATISFIED: Record.RATING.is_in(SATISFIED_RATINGS),
    # 逾期未办: still awaiting an answer whose deadline had passed at the moment asked about.
    Figure.OVERDUE_OPEN: Record.AWAITING_DUE.before(MOMENT),
    # Answered, but at least once after the reply deadline.
    Figure.OVERDUE_CLOSED: Record.LATE_REPLIES.more_than(0),
    Figure.REOPENED: Record.REOPENED.more_than(0),
    # Passed from department to department (推诿扯皮 shows here).
    Figure.TRANSFERRED_3_PLUS: Record.TRANSFERS.at_least(3),
}


def responds(event: Appeal.Event) -> bool:
    """Whether the event answers the appellant (`FIRST_RESPONSES`); the first that does
    is the appeal's first response (首次响应)."""
    return isinstance(event, FIRST_RESPONSES)


def replies(event: Appeal.Event) -> bool:
    """Whether the event is a department's reply (答复)."""
    return isinstance(event, Appeal.Replied)


def resolves(event: Appeal.Event) -> bool:
    """Whether the event resolves the appeal (已解决): answered on the spot, or closed as
    resolved (not as explained)."""
    if isinstance(event, Appeal.AnsweredOnSpot):
        return True
    return isinstance(event, Appeal.Closed) and event.outcome == Outcome.RESOLVED.value


def is_satisfied(rating: str | None) -> bool:
    """Whether a rating counts as satisfied (`SATISFIED_RATINGS`)."""
    return rating in SATISFIED_RATINGS

"""What the appeal figures count: the domain's rules, evaluated in Python."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from domain.appeal import Appeal
from domain.appeal_figures import (
    AT,
    COUNTS,
    HOURS_SINCE_RAISED,
    MOMENT,
    RATES,
    REPLY_LATE,
    RESPONSE_IN_TIME,
    WORK_CLOCK,
    WORK_HOURS_SINCE_RAISED,
    Figure,
    RateName,
    is_satisfied,
    replies,
    resolves,
    responds,
)
from domain.terms import Outcome, Rating
from tests.unit.builders import (
    T0,
    UNION_STAFF,
    acknowledge,
    answer_on_spot,
    at,
    raise_named,
    reply,
    transfer,
)


def record(**fields: Any) -> SimpleNamespace:
    """An appeal's figures record: nothing happened yet, except what `fields` say."""
    nothing: dict[str, Any] = {
        "raised_at": T0,
        "raised_clock": 100.0,
        "response_due": None,
        "reply_due": None,
        "awaiting_due": None,
        "first_response_at": None,
        "responded_in_time": None,
        "replied_at": None,
        "late_replies": 0,
        "resolved": False,
        "rating": None,
        "reopened": 0,
        "transfers": 0,
    }
    return SimpleNamespace(**(nothing | fields))


def when(moment: datetime, work_clock: float = 100.0) -> dict[str, Any]:
    """The values given with an event at `moment`."""
    return {AT.name: moment, WORK_CLOCK.name: work_clock}


def test_a_first_response_is_in_time_by_the_deadline_then_in_force() -> None:
    due = at(24)
    with_deadline = record(response_due=due, reply_due=at(200))

    assert RESPONSE_IN_TIME.holds(with_deadline, when(due))
    assert not RESPONSE_IN_TIME.holds(with_deadline, when(due + timedelta(seconds=1)))
    # Without a first-response deadline, the reply deadline judges; with neither, in time.
    assert not RESPONSE_IN_TIME.holds(record(reply_due=at(24)), when(at(30)))
    assert RESPONSE_IN_TIME.holds(record(), when(at(1000)))


def test_a_reply_is_late_after_the_reply_deadline_and_never_without_one() -> None:
    assert REPLY_LATE.holds(record(reply_due=at(24)), when(at(25)))
    assert not REPLY_LATE.holds(record(reply_due=at(24)), when(at(24)))
    assert REPLY_LATE.truth(record(), when(at(25))) is None  # unknown: not late


def test_answers_are_timed_from_raising_in_hours_and_working_hours() -> None:
    given = when(at(30), work_clock=115.5)

    assert HOURS_SINCE_RAISED.value(record(), given) == 30
    assert WORK_HOURS_SINCE_RAISED.value(record(), given) == 15.5


def test_satisfied_and_basically_satisfied_ratings_count_as_satisfied() -> None:
    satisfied = COUNTS[Figure.SATISFIED]

    assert [is_satisfied(rating.value) for rating in Rating] == [True, True, False]
    assert [satisfied.holds(record(rating=rating.value)) for rating in Rating] == [
        True,
        True,
        False,
    ]
    assert not satisfied.holds(record())
    assert not is_satisfied(None)


def test_an_open_appeal_is_overdue_once_its_deadline_has_passed() -> None:
    overdue = COUNTS[Figure.OVERDUE_OPEN]
    awaiting = record(awaiting_due=at(24))

    assert not overdue.holds(awaiting, {MOMENT.name: at(24)})
    assert overdue.holds(awaiting, {MOMENT.name: at(25)})
    assert not overdue.holds(record(), {MOMENT.name: at(25)})  # answered: awaits nothing


def test_each_count_reads_its_own_fact_of_the_record() -> None:
    counted = {
        figure
        for figure, condition in COUNTS.items()
        if condition.holds(
            record(
                first_response_at=at(1),
                responded_in_time=True,
                replied_at=at(2),
                late_replies=1,
                resolved=True,
                rating=Rating.SATISFIED.value,
                reopened=1,
                transfers=3,
            ),
            {MOMENT.name: at(3)},
        )
    }

    assert counted == set(Figure) - {Figure.RAISED, Figure.OVERDUE_OPEN}
    assert not any(condition.holds(record(), {MOMENT.name: at(3)}) for condition in COUNTS.values())
    assert RATES[RateName.TIMELY_RATE] == (Figure.RESPONDED_IN_TIME, Figure.RESPONDED)


def _events(appeal: Appeal) -> list[Appeal.Event]:
    events = appeal.collect_events()
    return [e for e in events if isinstance(e, Appeal.Event) and not isinstance(e, Appeal.Raised)]


def test_an_appeal_is_resolved_on_the_spot_or_when_closed_as_resolved() -> None:
    explained, resolved = raise_named(), raise_named()
    for appeal in (explained, resolved):
        answer_on_spot(appeal)
    explained.close(outcome=Outcome.EXPLAINED, note="", actor=UNION_STAFF, at=at(6))
    resolved.close(outcome=Outcome.RESOLVED, note="", actor=UNION_STAFF, at=at(6))

    def resolving(appeal: Appeal) -> list[tuple[str, bool]]:
        return [(type(event).__name__, resolves(event)) for event in _events(appeal)]

    assert resolving(explained) == [("AnsweredOnSpot", True), ("Closed", False)]
    assert resolving(resolved) == [("AnsweredOnSpot", True), ("Closed", True)]


def test_a_transfer_is_no_response_and_taking_the_case_on_is() -> None:
    appeal = raise_named()
    appeal.collect_events()
    transfer(appeal)
    acknowledge(appeal)
    reply(appeal)

    events = _events(appeal)

    assert [type(event).__name__ for event in events] == ["Transferred", "Acknowledged", "Replied"]
    assert [responds(event) for event in events] == [False, True, True]
    assert [replies(event) for event in events] == [False, False, True]

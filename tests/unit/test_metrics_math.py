"""Metric arithmetic: periods in China time, the working-hour clock, rates, event facts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.calendar import CHINA_TZ
from domain.terms import Outcome, Rating, Status
from projections.metrics import WorkingHours, appeal_change, month_of, parse_period, rate
from tests.unit.builders import (
    SUPERVISOR,
    UNION_STAFF,
    at,
    in_status,
    raise_named,
    reply_deadline,
)
from tests.unit.builders import rate as rate_answer


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-11", local(2026, 11, 1), local(2026, 12, 1)),
        ("2026-12", local(2026, 12, 1), local(2027, 1, 1)),
        ("2026-Q4", local(2026, 10, 1), local(2027, 1, 1)),
        ("2026-Q1", local(2026, 1, 1), local(2026, 4, 1)),
        ("2026-H2", local(2026, 7, 1), local(2027, 1, 1)),
        ("2026-H1", local(2026, 1, 1), local(2026, 7, 1)),
        ("2026", local(2026, 1, 1), local(2027, 1, 1)),
    ],
)
def test_periods_are_months_quarters_halves_and_years_in_china_time(
    text: str, start: datetime, end: datetime
) -> None:
    period = parse_period(text)
    assert (period.label, period.start, period.end) == (text, start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-H3", "26-11", "November", ""])
def test_anything_else_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match=r"month|period|names no"):
        parse_period(text)


def test_the_month_of_a_moment_is_its_month_in_china_time() -> None:
    assert month_of(datetime(2026, 10, 31, 17, 0, tzinfo=UTC)) == "2026-11"


def test_a_rate_is_four_decimals_and_none_without_a_denominator() -> None:
    assert rate(2, 3) == Decimal("0.6667")
    assert rate(0, 5) == Decimal("0.0000")
    assert rate(0, 0) is None


def test_working_hours_count_eight_to_five_on_working_days_only() -> None:
    hours = WorkingHours()
    # Monday 2026-03-02 09:00 to Thursday 09:00: 8 + 9 + 9 + 1 working hours.
    assert hours.between(local(2026, 3, 2, 9), local(2026, 3, 5, 9)) == pytest.approx(27)
    # Friday 16:00 to Monday 09:00: one hour on Friday, none at the weekend, one on Monday.
    assert hours.between(local(2026, 3, 6, 16), local(2026, 3, 9, 9)) == pytest.approx(2)
    # Evenings count nothing.
    assert hours.between(local(2026, 3, 2, 18), local(2026, 3, 2, 23)) == 0


def test_make_up_days_count_and_holidays_do_not() -> None:
    hours = WorkingHours()
    # Saturday 2026-02-14 is a make-up working day (调休).
    assert hours.between(local(2026, 2, 14, 0), local(2026, 2, 15, 0)) == pytest.approx(9)
    # National Day 2026-10-01 is a holiday.
    assert hours.between(local(2026, 10, 1, 0), local(2026, 10, 2, 0)) == 0


def test_the_working_hour_clock_reads_the_same_in_any_time_zone() -> None:
    hours = WorkingHours()
    moment = local(2026, 3, 2, 10, 30)
    assert hours.clock(moment) == hours.clock(moment.astimezone(UTC))
    assert hours.clock(moment) - hours.clock(local(2026, 3, 2, 8)) == pytest.approx(2.5)


def test_a_transfer_assigns_the_department_and_sets_the_reply_deadline() -> None:
    appeal = raise_named()
    appeal.transfer(
        department="安全监察部",
        supervisor=SUPERVISOR,
        reply_deadline=reply_deadline(7),
        actor=UNION_STAFF,
        at=at(1),
    )
    change = appeal_change(appeal.collect_events()[-1])  # type: ignore[arg-type]
    assert change is not None
    assert change.assigned_to == "安全监察部"
    assert change.reply_due == change.awaiting_due == reply_deadline(7).due
    assert not change.sets_response_due  # the first-response deadline runs from raising
    assert not change.responds


def test_an_answer_on_the_spot_responds_and_resolves() -> None:
    appeal = raise_named()
    appeal.answer_on_spot(answer="已核实补发", basis="", close=False, actor=UNION_STAFF, at=at(1))
    change = appeal_change(appeal.collect_events()[-1])  # type: ignore[arg-type]
    assert change is not None
    assert change.responds
    assert change.resolves
    assert not change.replies
    assert change.sets_awaiting
    assert change.awaiting_due is None
    assert change.work_clock == pytest.approx(WorkingHours().clock(at(1)))


def test_a_reopening_sets_a_new_reply_deadline_and_leaves_the_response_deadline() -> None:
    appeal = in_status(Status.PUBLISHED)
    rate_answer(appeal, Rating.DISSATISFIED)
    change = appeal_change(appeal.collect_events()[-1])  # type: ignore[arg-type]
    assert change is not None
    assert change.reopens
    assert change.reply_due == reply_deadline(14, rule="reply.reopened").due
    assert not change.sets_response_due  # answered once; a reopening does not undo that


def test_closing_as_explained_resolves_nothing() -> None:
    appeal = raise_named()
    appeal.answer_on_spot(answer="已解释", basis="", close=False, actor=UNION_STAFF, at=at(1))
    appeal.close(outcome=Outcome.EXPLAINED, note="", actor=UNION_STAFF, at=at(2))
    change = appeal_change(appeal.collect_events()[-1])  # type: ignore[arg-type]
    assert change is not None
    assert not change.resolves

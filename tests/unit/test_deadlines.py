"""Deadline rules per channel (答复时限), and the deadlines they produce."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.calendar import CHINA_TZ, END_OF_DAY, WorkingCalendar
from domain.deadlines import Anchor, Deadline, DeadlineAct, DeadlinePolicy, Unit
from domain.errors import InvalidInput
from domain.terms import Channel

#: Raised on Wednesday 2026-02-11 at 10:00, just before the Spring Festival.
RAISED_AT = datetime(2026, 2, 11, 10, 0, tzinfo=CHINA_TZ)
#: Transferred on Friday 2026-03-06 in an ordinary week.
TRANSFERRED_AT = datetime(2026, 3, 6, 15, 30, tzinfo=CHINA_TZ)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    """The calendar in Asia/Shanghai."""
    return WorkingCalendar()


def end_of(year: int, month: int, day: int) -> datetime:
    """The last second of that day in Asia/Shanghai."""
    return datetime.combine(date(year, month, day), END_OF_DAY, tzinfo=CHINA_TZ)


def first_response(
    channel: Channel, calendar: WorkingCalendar, policy: DeadlinePolicy | None = None
) -> Deadline:
    """The first-response deadline the policy gives an appeal of this channel."""
    rule = (policy or DeadlinePolicy()).response_rule(channel)
    assert rule is not None
    return rule.apply(calendar, raised_at=RAISED_AT, transferred_at=TRANSFERRED_AT)


def test_urgent_channel_gets_a_48_hour_first_response_deadline_from_raising(
    calendar: WorkingCalendar,
) -> None:
    deadline = first_response(Channel.URGENT, calendar)

    assert deadline.due == RAISED_AT + timedelta(hours=48)
    assert deadline.act is DeadlineAct.FIRST_RESPONSE
    assert deadline.rule == "response.urgent-48h"
    assert deadline.basis == "first response within 48 hours of being raised"


def test_urgent_hours_run_through_weekends_and_holidays(calendar: WorkingCalendar) -> None:
    rule = DeadlinePolicy().response_rule(Channel.URGENT)
    assert rule is not None
    raised = datetime(2026, 2, 14, 18, 0, tzinfo=CHINA_TZ)

    deadline = rule.apply(calendar, raised_at=raised, transferred_at=raised)

    assert deadline.due == datetime(2026, 2, 16, 18, 0, tzinfo=CHINA_TZ)


def test_grid_liaison_gets_a_24_hour_first_response_deadline(calendar: WorkingCalendar) -> None:
    deadline = first_response(Channel.GRID_LIAISON, calendar)

    assert deadline.due == RAISED_AT + timedelta(hours=24)
    assert deadline.rule == "response.grid-liaison"
    assert deadline.basis == "first response within 24 hours of being raised"


def test_performance_appeal_review_starts_within_5_working_days_of_raising(
    calendar: WorkingCalendar,
) -> None:
    deadline = first_response(Channel.PERFORMANCE_APPEAL, calendar)

    assert deadline.due == end_of(2026, 2, 25)
    assert deadline.act is DeadlineAct.FIRST_RESPONSE
    assert deadline.rule == "response.performance-review"
    assert deadline.basis == "first response within 5 working days of being raised"


@pytest.mark.parametrize(
    "channel",
    [
        Channel.TALK_SESSION,
        Channel.DEPARTMENT_LIAISON,
        Channel.ANONYMOUS_BOX,
        Channel.RECEPTION_DAY,
        Channel.CONGRESS_PROPOSAL,
        Channel.LEGAL_CLINIC,
    ],
)
def test_other_channels_have_no_first_response_rule(channel: Channel) -> None:
    assert DeadlinePolicy().response_rule(channel) is None


def test_reply_is_due_5_working_days_after_transfer(calendar: WorkingCalendar) -> None:
    rule = DeadlinePolicy().reply_rule()

    deadline = rule.apply(calendar, raised_at=RAISED_AT, transferred_at=TRANSFERRED_AT)

    assert (rule.amount, rule.unit, rule.anchor) == (5, Unit.WORKING_DAYS, Anchor.TRANSFERRED)
    assert deadline.due == end_of(2026, 3, 13)
    assert deadline.act is DeadlineAct.REPLY
    assert deadline.rule == "reply.default"
    assert deadline.basis == "reply within 5 working days of being transferred"


def test_reply_deadline_counts_make_up_days_over_the_spring_festival(
    calendar: WorkingCalendar,
) -> None:
    transferred = datetime(2026, 2, 11, 16, 0, tzinfo=CHINA_TZ)

    deadline = (
        DeadlinePolicy()
        .reply_rule()
        .apply(calendar, raised_at=RAISED_AT, transferred_at=transferred)
    )

    assert deadline.due == end_of(2026, 2, 25)


def test_the_numbers_come_from_the_policy(calendar: WorkingCalendar) -> None:
    policy = DeadlinePolicy(
        reply_working_days=10,
        urgent_response_hours=24,
        grid_response_hours=72,
        performance_review_working_days=3,
    )

    assert first_response(Channel.URGENT, calendar, policy).due == RAISED_AT + timedelta(hours=24)
    assert first_response(Channel.GRID_LIAISON, calendar, policy).due == RAISED_AT + timedelta(
        hours=72
    )
    performance = first_response(Channel.PERFORMANCE_APPEAL, calendar, policy)
    assert performance.due == end_of(2026, 2, 14)  # Thu 12, Fri 13, Sat 14 (调休)
    assert performance.basis == "first response within 3 working days of being raised"
    reply = policy.reply_rule().apply(calendar, raised_at=RAISED_AT, transferred_at=TRANSFERRED_AT)
    assert reply.due == end_of(2026, 3, 20)
    assert reply.basis == "reply within 10 working days of being transferred"


def test_a_reply_deadline_given_as_a_date_says_so_and_how_it_was_set(
    calendar: WorkingCalendar,
) -> None:
    due = datetime(2026, 3, 31, 18, 0, tzinfo=CHINA_TZ)

    deadline = DeadlinePolicy().reply_deadline(
        calendar,
        raised_at=RAISED_AT,
        transferred_at=TRANSFERRED_AT,
        explicit=due,
        how="set when re-transferring",
    )

    assert deadline == Deadline(
        due=due,
        act=DeadlineAct.REPLY,
        rule="reply.explicit",
        basis="reply by a date set when re-transferring",
    )


def test_a_reply_deadline_without_a_date_is_the_rules(calendar: WorkingCalendar) -> None:
    policy = DeadlinePolicy()

    deadline = policy.reply_deadline(calendar, raised_at=RAISED_AT, transferred_at=TRANSFERRED_AT)

    assert deadline == policy.reply_rule().apply(
        calendar, raised_at=RAISED_AT, transferred_at=TRANSFERRED_AT
    )


def test_a_reply_deadline_given_as_a_date_without_a_time_zone_is_refused(
    calendar: WorkingCalendar,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        DeadlinePolicy().reply_deadline(
            calendar,
            raised_at=RAISED_AT,
            transferred_at=TRANSFERRED_AT,
            explicit=datetime(2026, 3, 31, 18, 0),
        )

    assert refused.value.field == "deadline"


def test_an_extended_reply_deadline_names_who_approved_it() -> None:
    due = datetime(2026, 4, 3, 18, 0, tzinfo=CHINA_TZ)

    deadline = DeadlinePolicy.extended_reply_deadline(due, "S-wang")

    assert (deadline.due, deadline.act, deadline.rule) == (due, DeadlineAct.REPLY, "reply.extended")
    assert deadline.basis == "extended, approved by S-wang"


def test_a_deadline_survives_its_record_in_an_event(calendar: WorkingCalendar) -> None:
    deadline = first_response(Channel.PERFORMANCE_APPEAL, calendar)

    record = deadline.to_record()

    assert record == {
        "due": "2026-02-25T23:59:59+08:00",
        "act": "first_response",
        "rule": "response.performance-review",
        "basis": "first response within 5 working days of being raised",
    }
    assert Deadline.from_record(record) == deadline

"""The first-response clock (首次响应): it starts when the appeal is raised, runs whoever
holds the appeal, and stops at the first event that answers the appellant (no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.appeal import FIRST_RESPONSES, Appeal
from domain.calendar import CHINA_TZ, WorkingCalendar
from domain.deadlines import Deadline, DeadlineAct, DeadlinePolicy
from domain.errors import ActionNotAllowed
from domain.terms import Channel
from tests.unit.builders import (
    DEPARTMENT,
    SUPERVISOR,
    T0,
    UNION_STAFF,
    at,
    raise_anonymous,
    raise_named,
    reply_deadline,
)

POLICY = DeadlinePolicy()
CALENDAR = WorkingCalendar()
URGENT_DUE = Deadline(
    due=at(48),
    act=DeadlineAct.FIRST_RESPONSE,
    rule="response.urgent-48h",
    basis="first response within 48 hours of being raised",
)


def urgent() -> Appeal:
    """A named urgent appeal raised at T0, its 48 hours running."""
    return raise_named(channel=Channel.URGENT, response_deadline=URGENT_DUE)


def transfer(appeal: Appeal, department: str, hours: float) -> None:
    """Transfers (or re-transfers) the appeal `hours` after T0."""
    if appeal.responsible_department is None:
        appeal.transfer(
            department=department,
            supervisor=SUPERVISOR,
            reply_deadline=reply_deadline(7),
            actor=UNION_STAFF,
            at=at(hours),
        )
    else:
        appeal.retransfer(
            department=department,
            reason="not ours",
            reply_deadline=reply_deadline(8),
            supervisor=None,
            actor=UNION_STAFF,
            at=at(hours),
        )


@pytest.mark.parametrize(
    ("channel", "rule", "due"),
    [
        (Channel.URGENT, "response.urgent-48h", T0 + timedelta(hours=48)),
        (Channel.GRID_LIAISON, "response.grid-liaison", T0 + timedelta(hours=24)),
        (
            Channel.PERFORMANCE_APPEAL,
            "response.performance-review",
            CALENDAR.add_working_days(T0, 5),
        ),
    ],
)
def test_a_channel_with_a_response_rule_starts_the_clock_at_raising(
    channel: Channel, rule: str, due: datetime
) -> None:
    deadline = POLICY.response_deadline(channel, T0, CALENDAR)

    assert deadline is not None
    assert (deadline.due, deadline.rule, deadline.act) == (due, rule, DeadlineAct.FIRST_RESPONSE)
    assert POLICY.response_deadline(Channel.TALK_SESSION, T0, CALENDAR) is None


def test_a_performance_review_counts_working_days_across_the_national_day_holiday() -> None:
    raised = datetime(2026, 9, 30, 10, 0, tzinfo=CHINA_TZ)

    deadline = POLICY.response_deadline(Channel.PERFORMANCE_APPEAL, raised, CALENDAR)

    assert deadline is not None
    assert deadline.due.date() > datetime(2026, 10, 8).date()


def test_an_untransferred_appeal_owes_its_first_response_and_misses_it_once() -> None:
    appeal = urgent()

    assert appeal.pending_deadlines() == [URGENT_DUE]
    assert appeal.missed_at(at(47)) == []
    assert appeal.missed_at(at(49)) == [URGENT_DUE]
    appeal.record_missed_deadline(act=DeadlineAct.FIRST_RESPONSE, actor=UNION_STAFF, at=at(49))
    assert appeal.missed_at(at(50)) == []
    with pytest.raises(ActionNotAllowed):
        appeal.record_missed_deadline(act=DeadlineAct.FIRST_RESPONSE, actor=UNION_STAFF, at=at(50))


def test_transfers_keep_the_appellants_clock_running() -> None:
    appeal = urgent()
    transfer(appeal, "Finance", 10)
    transfer(appeal, "Works", 20)

    assert appeal.response_deadline == URGENT_DUE
    assert appeal.pending_deadlines() == [URGENT_DUE, reply_deadline(8)]
    assert appeal.first_response_at is None


def test_a_transfer_recorded_by_an_earlier_release_without_a_deadline_leaves_it_as_it_is() -> None:
    appeal = urgent()
    transfer(appeal, "Finance", 10)
    event = appeal.collect_events()[-1]

    assert isinstance(event, Appeal.Transferred)
    assert event.response_deadline is None
    assert appeal.response_deadline == URGENT_DUE


@pytest.mark.parametrize(
    ("respond", "still_owed"),
    [
        (lambda a: a.acknowledge(note="收到", actor=DEPARTMENT, at=at(30)), [reply_deadline(7)]),
        (lambda a: a.contact(note="已电话联系", actor=UNION_STAFF, at=at(30)), [reply_deadline(7)]),
        (
            lambda a: a.reply_with(answer="已补发", basis="薪酬制度", actor=DEPARTMENT, at=at(30)),
            [],
        ),
    ],
    ids=["acknowledged", "contacted", "replied"],
)
def test_the_first_event_answering_the_appellant_stops_the_clock(
    respond: Any, still_owed: list[Deadline]
) -> None:
    appeal = urgent()
    transfer(appeal, "Finance", 10)

    respond(appeal)

    assert appeal.first_response_at == at(30)
    assert appeal.pending_deadlines() == still_owed
    assert URGENT_DUE not in appeal.missed_at(at(60))


def test_what_counts_as_a_first_response_is_one_list_and_a_transfer_is_not_on_it() -> None:
    assert Appeal.Transferred not in FIRST_RESPONSES
    assert Appeal.Retransferred not in FIRST_RESPONSES
    assert {cls.__name__ for cls in FIRST_RESPONSES} == {
        "AnsweredOnSpot",
        "Acknowledged",
        "Contacted",
        "Replied",
        "Adopted",
        "Declined",
    }


def test_the_union_reaching_the_appellant_answers_an_untransferred_appeal() -> None:
    appeal = urgent()

    appeal.contact(note="已上门慰问，工伤材料已代为收集", actor=UNION_STAFF, at=at(5))
    appeal.contact(note="再次电话告知进展", actor=UNION_STAFF, at=at(6))

    assert appeal.first_response_at == at(5)
    assert appeal.contacts == 2
    assert appeal.pending_deadlines() == []


def test_an_anonymous_appellant_cannot_be_contacted() -> None:
    appeal = raise_anonymous(channel=Channel.ANONYMOUS_BOX)

    with pytest.raises(ActionNotAllowed, match="anonymous appellant is known to nobody"):
        appeal.contact(note="x", actor=UNION_STAFF, at=at(1))


def test_whoever_held_the_appeal_when_a_deadline_passed_answers_for_it() -> None:
    appeal = urgent()
    transfer(appeal, "Finance", 60)
    transfer(appeal, "Works", 70)

    assert appeal.holder_at(URGENT_DUE.due) is None  # the union still held it
    assert appeal.holder_at(at(65)) == "Finance"
    assert appeal.holder_at(at(75)) == "Works"


def test_an_appeal_stored_before_the_clock_started_at_raising_gets_its_deadline_read_back() -> None:
    state: dict[str, Any] = {"channel": Channel.GRID_LIAISON.value, "timestamp": T0}

    Appeal.Raised.upcast_v1_v2(state)

    assert state["response_deadline"]["due"] == (T0 + timedelta(hours=24)).isoformat()
    assert state["response_deadline"]["rule"] == "response.grid-liaison"
    talk: dict[str, Any] = {"channel": Channel.TALK_SESSION.value, "timestamp": T0}
    Appeal.Raised.upcast_v1_v2(talk)
    assert talk["response_deadline"] is None

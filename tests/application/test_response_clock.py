"""The employee's response clock, on real PostgreSQL: it starts at raising, survives
re-transfers and restarts, and a miss costs whoever held the appeal when it ran out."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from domain.accountability_rules import RuleCode, penalty_id
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.calendar import CHINA_TZ
from domain.deadlines import Deadline, DeadlineAct
from domain.terms import Channel, Kind
from tests.application.watching import board_has_seen, missed, watcher

CLERK = Actor("U-clock", Role.UNION_STAFF)
SUPERVISOR = "union-vice-chair"
#: Monday 9 November 2026, 09:00 in China: an ordinary working week.
MONDAY = datetime(2026, 11, 9, 9, 0, tzinfo=CHINA_TZ)


def urgent_appeal(casework: Casework, clock: ManualClock) -> UUID:
    """An urgent (48小时响应通道) appeal raised on Monday morning by a named employee."""
    clock.set(MONDAY)
    draft = AppealDraft(
        channel=Channel.URGENT,
        kind=Kind.HARDSHIP,
        category="work-injury",
        title="Injured on shift",
        text="Needs help with the work-injury claim.",
        department="Safety",
        appellant=Appellant("李工", "E-clock-1", "139 0000 0001"),
    )
    return casework.raise_appeal(draft, CLERK).id


def response_deadline(casework: Casework, appeal_id: UUID) -> Deadline:
    deadline = casework.get_appeal(appeal_id).response_deadline
    assert deadline is not None
    return deadline


def response_penalty(services: Services, appeal_id: UUID, deadline: Deadline) -> tuple[str, int]:
    """The department and points of the penalty for missing `deadline`."""
    key = penalty_id(
        RuleCode.OVERDUE_RESPONSE, appeal_id, f"response-due:{deadline.due.isoformat()}"
    )
    penalty = services.accountability.get_penalty(key)
    return penalty.department, penalty.points


def test_the_48_hours_run_from_raising_before_anyone_transfers_the_appeal(
    casework: Casework, clock: ManualClock
) -> None:
    appeal_id = urgent_appeal(casework, clock)

    deadline = response_deadline(casework, appeal_id)

    assert deadline.due == MONDAY + timedelta(hours=48)
    assert (deadline.act, deadline.rule) == (DeadlineAct.FIRST_RESPONSE, "response.urgent-48h")


def test_an_untransferred_urgent_appeal_is_missed_once_and_charged_to_the_union_office(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id = urgent_appeal(casework, clock)
    deadline = response_deadline(casework, appeal_id)
    board_has_seen(services, casework.head_position())

    clock.set(deadline.due - timedelta(minutes=1))
    assert watcher(services, appeal_id).sweep().missed == []

    clock.set(MONDAY + timedelta(days=3))
    report = watcher(services, appeal_id).sweep()

    assert report.missed == [(appeal_id, DeadlineAct.FIRST_RESPONSE.value)]
    assert report.penalties == 1
    [event] = missed(casework, appeal_id)
    assert event.deadline["rule"] == "response.urgent-48h"
    office = services.settings.union_office_department
    assert response_penalty(services, appeal_id, deadline) == (office, -2)


def test_a_watcher_started_after_a_restart_finds_the_missed_48_hours_and_records_them_once(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id = urgent_appeal(casework, clock)
    board_has_seen(services, casework.head_position())
    clock.set(MONDAY + timedelta(hours=50))

    # The service was down when the 48 hours ran out: the first watcher after the restart
    # reads the miss from the deadline board, and one more restart records nothing new.
    assert watcher(services, appeal_id).sweep().missed == [
        (appeal_id, DeadlineAct.FIRST_RESPONSE.value)
    ]
    board_has_seen(services, casework.head_position())
    again = watcher(services, appeal_id).sweep()

    assert (again.missed, again.penalties) == ([], 0)
    assert len(missed(casework, appeal_id)) == 1


def test_a_re_transfer_keeps_the_clock_and_the_miss_falls_on_the_department_holding_it(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id = urgent_appeal(casework, clock)
    deadline = response_deadline(casework, appeal_id)
    clock.set(MONDAY + timedelta(hours=1))
    casework.transfer(appeal_id, department="Safety", supervisor=SUPERVISOR, actor=CLERK)
    clock.set(MONDAY + timedelta(hours=20))
    casework.retransfer(appeal_id, department="Works", reason="Works runs the shift.", actor=CLERK)

    appeal = casework.get_appeal(appeal_id)
    assert appeal.response_deadline == deadline  # the employee's 48 hours did not restart
    reply = appeal.reply_deadline
    assert reply is not None
    assert reply.rule == "reply.default"
    assert reply.due > MONDAY + timedelta(hours=20)  # the new department's own 5 working days

    board_has_seen(services, casework.head_position())
    clock.set(MONDAY + timedelta(hours=49))
    assert watcher(services, appeal_id).sweep().missed == [
        (appeal_id, DeadlineAct.FIRST_RESPONSE.value)
    ]
    assert response_penalty(services, appeal_id, deadline) == ("Works", -2)


def test_union_staff_contacting_the_appellant_in_time_is_the_first_response(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id = urgent_appeal(casework, clock)
    clock.set(MONDAY + timedelta(hours=2))
    casework.contact(appeal_id, note="Phoned; the claim forms go out today.", actor=CLERK)
    assert casework.get_appeal(appeal_id).first_response_at == MONDAY + timedelta(hours=2)

    board_has_seen(services, casework.head_position())
    clock.set(MONDAY + timedelta(days=3))

    assert watcher(services, appeal_id).sweep().missed == []
    assert missed(casework, appeal_id) == []

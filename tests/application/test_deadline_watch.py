"""The deadline watcher, on real PostgreSQL, with the clock moved across working days."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from application.deadline_watch import DeadlineWatch, LedgerEntry
from application.meetings import Meetings
from domain.accountability_rules import CaseRef, CaseType, RuleCode, penalty_id
from domain.actors import Actor, Role
from domain.calendar import CHINA_TZ, WorkingCalendar
from domain.card import CardColour, CardStatus, card_id
from domain.meeting import Meeting
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.monthly_figures import ReportMonth
from domain.monthly_report import report_id
from domain.penalty import Penalty
from domain.terms import Channel, Kind, Tier
from projections.deadline_board import DeadlineBoardView
from projections.penalty_ledger import PenaltyLedgerView
from projections.view import APPLICATION_NAME
from tests.application.watching import OnlyTheseCases, board_has_seen, missed, watcher
from tests.conftest import open_department

CLERK = Actor("U-watch", Role.UNION_STAFF)
#: A supervisor the session's directory knows (appeals not raised at a talk name one).
SUPERVISOR = "union-vice-chair"


def handler(department: str) -> Actor:
    """The handler acting for `department` (its scope is that one department)."""
    return Actor("D-watch", Role.DEPARTMENT, departments=frozenset({department}))


#: Wednesday 30 September 2026, 10:00 in China: the day before the National Day holiday.
BEFORE_GOLDEN_WEEK = datetime(2026, 9, 30, 10, 0, tzinfo=CHINA_TZ)


def transferred_appeal(casework: Casework, clock: ManualClock, at: datetime) -> tuple[UUID, str]:
    """An appeal raised and transferred at `at`; returns its id and department."""
    clock.set(at)
    department = open_department(casework, "Works")
    draft = AppealDraft(
        channel=Channel.DEPARTMENT_LIAISON,
        kind=Kind.COMPLAINT,
        category="canteen",
        title="Night shift meals",
        text="The canteen closes before the night shift ends.",
        department=department,
    )
    appeal_id = casework.raise_appeal(draft, CLERK).id
    casework.transfer(appeal_id, department=department, supervisor=SUPERVISOR, actor=CLERK)
    return appeal_id, department


def test_a_reply_deadline_counts_working_days_across_the_national_day_holiday(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id, _ = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    due = casework.get_appeal(appeal_id).reply_deadline
    assert due is not None
    expected = WorkingCalendar().add_working_days(BEFORE_GOLDEN_WEEK, 5)
    assert due.due == expected
    assert due.due.date() > datetime(2026, 10, 8).date()  # the holiday week does not count
    board_has_seen(services, casework.head_position())

    clock.set(datetime(2026, 10, 7, 12, 0, tzinfo=CHINA_TZ))  # still the holiday
    assert watcher(services, appeal_id).sweep().missed == []
    clock.set(due.due - timedelta(minutes=1))
    assert watcher(services, appeal_id).sweep().missed == []
    assert missed(casework, appeal_id) == []


def test_an_overdue_reply_is_recorded_once_and_costs_the_department_two_points(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    due = casework.get_appeal(appeal_id).reply_deadline
    assert due is not None
    board_has_seen(services, casework.head_position())

    clock.set(due.due + timedelta(minutes=1))
    report = watcher(services, appeal_id).sweep()

    assert report.missed == [(appeal_id, "reply")]
    assert report.penalties == 1
    [event] = missed(casework, appeal_id)
    assert event.deadline["rule"] == due.rule
    assert event.actor_role == Role.SYSTEM.value
    penalty = services.accountability.get_penalty(
        penalty_id(RuleCode.OVERDUE_REPLY, appeal_id, f"reply-due:{due.due.isoformat()}")
    )
    assert (penalty.department, penalty.points) == (department, -2)

    # A later sweep, and a watcher started after a restart, find nothing more to do.
    board_has_seen(services, casework.head_position())
    clock.advance(timedelta(days=3))
    assert watcher(services, appeal_id).sweep().missed == []
    assert len(missed(casework, appeal_id)) == 1


def test_two_watchers_at_the_same_time_record_the_miss_once(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id, _ = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    due = casework.get_appeal(appeal_id).reply_deadline
    assert due is not None
    board_has_seen(services, casework.head_position())
    clock.set(due.due + timedelta(hours=1))

    start = threading.Barrier(2)
    reports = []

    def sweep() -> None:
        start.wait()
        reports.append(watcher(services, appeal_id).sweep())

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(missed(casework, appeal_id)) == 1
    assert sum(len(report.missed) for report in reports) == 1
    penalties = [
        event
        for event in services.accountability.history(
            penalty_id(RuleCode.OVERDUE_REPLY, appeal_id, f"reply-due:{due.due.isoformat()}")
        )
        if isinstance(event, Penalty.Recorded)
    ]
    assert len(penalties) == 1


def test_a_reply_in_time_leaves_nothing_to_record(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    casework.acknowledge(appeal_id, note="on it", actor=handler(department))
    casework.reply(
        appeal_id,
        answer="Extended to 40 minutes",
        basis="Canteen rules §3",
        actor=handler(department),
    )
    board_has_seen(services, casework.head_position())

    clock.set(BEFORE_GOLDEN_WEEK + timedelta(days=60))
    assert watcher(services, appeal_id).sweep().missed == []


def action_item_due_in_ten_days(
    meetings: Meetings, clock: ManualClock, *, absent: list[str]
) -> tuple[UUID, UUID]:
    """A workers' talk held (the `absent` departments invited), its decision, and an action
    item for Finance due ten days on; the meeting's and the item's ids."""
    clock.set(BEFORE_GOLDEN_WEEK)
    who = [f"P{uuid4().hex[:6]}"]
    meeting_id = meetings.schedule(
        kind=MeetingKind.TIER_TALK,
        tier=Tier.WORKERS,
        topic="Shift pay",
        scheduled_for=clock() + timedelta(hours=1),
        place="Union hall",
        actor=CLERK,
    ).id
    meetings.invite(meeting_id, participants=who, departments=absent, actor=CLERK)
    clock.advance(timedelta(hours=1))
    meetings.hold(meeting_id, attendance=[Attendee(who[0], "Works")], actor=CLERK)
    meetings.record_minutes(meeting_id, minutes="Pay slips are late", actor=CLERK)
    meetings.record_decisions(meeting_id, decisions=["Pay slips by the 5th"], actor=CLERK)
    item_id = meetings.create_action_item(
        meeting_id,
        decision_ref="D1",
        task="Issue pay slips by the 5th",
        department="Finance",
        deadline=clock() + timedelta(days=10),
        acceptance_criteria="Two months of pay slips by the 5th",
        actor=CLERK,
    ).id
    return meeting_id, item_id


def test_an_action_item_past_its_deadline_unaccepted_is_marked_overdue(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    meetings = services.meetings
    meeting_id, item_id = action_item_due_in_ten_days(meetings, clock, absent=["Absent-Dept"])
    board_has_seen(services, casework.head_position())

    clock.advance(timedelta(days=11))
    report = watcher(services, item_id, meeting_id).sweep()

    assert (item_id, "accept") in report.missed
    assert meetings.get_action_item(item_id).overdue
    absent = services.accountability.get_penalty(
        penalty_id(RuleCode.ABSENT_FROM_TALK, meeting_id, "Absent-Dept")
    )
    assert (absent.department, absent.points) == ("Absent-Dept", -1)

    board_has_seen(services, casework.head_position())
    again = watcher(services, item_id, meeting_id).sweep()
    assert again.missed == []
    assert again.penalties == 0


@pytest.fixture(autouse=True)
def _real_time_after(clock: ManualClock) -> None:
    """Every test here sets the clock; the `clock` fixture puts it back afterwards."""


def test_last_months_report_unfiled_past_its_deadline_costs_the_union_office_one_point(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    # A month no other test touches; the store was in use long before it.
    clock.set(datetime(2030, 5, 20, 9, 0, tzinfo=CHINA_TZ))
    watch = DeadlineWatch(
        services.casework,
        services.meetings,
        services.accountability,
        OnlyTheseCases(
            services.views.typed("deadline_board", DeadlineBoardView),  # type: ignore[type-abstract]
            set(),
        ),
        reports=services.monthly_reports,
    )

    first = watch.sweep()
    again = watch.sweep()

    assert first.penalties == 1
    assert again.penalties == 0
    month = ReportMonth(2030, 4)
    penalty = services.accountability.get_penalty(
        penalty_id(RuleCode.LATE_MONTHLY_REPORT, report_id(month), str(month))
    )
    assert (penalty.department, penalty.points) == (services.settings.union_office_department, -1)


class OneDepartmentsLedger:
    """The real penalty ledger, narrowed to one department (the store holds others')."""

    def __init__(self, ledger: PenaltyLedgerView, department: str) -> None:
        self.ledger = ledger
        self.department = department

    def entries(
        self, start: date, end: date, department: str | None = None
    ) -> Sequence[LedgerEntry]:
        return self.ledger.entries(start, end, self.department)


def test_penalties_over_the_threshold_bring_a_yellow_card_that_escalates_unrectified(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    department = open_department(casework, "Dept")
    threshold = services.settings.yellow_card_penalty_points
    for n in range(threshold):
        services.accountability.record_automatic(
            RuleCode.ABSENT_FROM_TALK,
            department=department,
            case=CaseRef(CaseType.MEETING, uuid4(), f"talk {n}"),
            occurrence_key=department,
        )
    ledger = services.views.typed("penalty_ledger", PenaltyLedgerView)  # type: ignore[type-abstract]
    ledger.wait(APPLICATION_NAME, casework.head_position(), timeout=10)
    watch = DeadlineWatch(
        services.casework,
        services.meetings,
        services.accountability,
        OnlyTheseCases(
            services.views.typed("deadline_board", DeadlineBoardView),  # type: ignore[type-abstract]
            set(),
        ),
        ledger=OneDepartmentsLedger(ledger, department),
    )

    issued = watch.sweep()
    again = watch.sweep()

    assert (issued.cards, again.cards) == (1, 0)
    period = services.accountability.current_period()
    yellow_id = card_id(department, CardColour.YELLOW, period.start)
    yellow = services.accountability.get_card(yellow_id)
    assert yellow.status is CardStatus.OPEN

    # The rectification deadline passes with nothing done: the watcher escalates to red.
    board_has_seen(services, casework.head_position())
    clock.set(yellow.rectification_deadline + timedelta(minutes=1))
    escalating = DeadlineWatch(
        services.casework,
        services.meetings,
        services.accountability,
        OnlyTheseCases(
            services.views.typed("deadline_board", DeadlineBoardView),  # type: ignore[type-abstract]
            {yellow_id},
        ),
    )
    escalated = escalating.sweep()

    assert escalated.missed == [(yellow_id, "rectify")]
    yellow = services.accountability.get_card(yellow_id)
    assert yellow.status is CardStatus.ESCALATED
    assert yellow.red_card_id is not None
    assert services.accountability.get_card(yellow.red_card_id).colour is CardColour.RED


def test_a_congress_whose_assignments_are_not_published_in_7_working_days_is_recorded_late(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    meetings = services.meetings
    clock.set(datetime(2031, 3, 5, 9, tzinfo=CHINA_TZ))
    congress = meetings.schedule(
        kind=MeetingKind.CONGRESS,
        topic="Annual workers' congress",
        scheduled_for=clock() + timedelta(hours=1),
        place="Auditorium",
        actor=CLERK,
    ).id
    meetings.invite(congress, participants=["R1", "R2"], actor=CLERK)
    clock.advance(timedelta(hours=1))
    meetings.hold(congress, attendance=[Attendee("R1"), Attendee("R2")], actor=CLERK)
    proposal_id = meetings.register_proposal(
        congress,
        problem="The bath house closes early.",
        solution="Open until 07:00.",
        department="Logistics",
        deadline=clock() + timedelta(days=60),
        actor=CLERK,
    ).id
    due = meetings.get_proposal(proposal_id).assignment_deadline.due
    board_has_seen(services, casework.head_position())

    clock.set(due - timedelta(minutes=1))
    assert watcher(services, congress, proposal_id).sweep().missed == []
    clock.set(due + timedelta(minutes=1))
    report = watcher(services, congress, proposal_id).sweep()

    assert sorted(report.missed) == sorted([(congress, "publish"), (proposal_id, "publish")])
    assert meetings.get_proposal(proposal_id).assignment_missed
    [missed_event] = [
        e for e in meetings.history(congress) if isinstance(e, Meeting.DeadlineMissed)
    ]
    assert missed_event.deadline["act"] == "publish"
    board_has_seen(services, casework.head_position())
    assert watcher(services, congress, proposal_id).sweep().missed == []

    # Publishing late is still allowed, and shows as late.
    meetings.publish_assignment(proposal_id, result="Logistics, by May", actor=CLERK)
    assert meetings.get_proposal(proposal_id).assignment_late

"""Penalties and cards through the application, on real PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from application.accountability import AUTOMATIC, Accountability
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from application.meetings import Meetings
from domain.accountability_rules import CaseRef, CaseType, RuleCode, penalty_id
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.calendar import CHINA_TZ
from domain.card import CardColour, CardPolicy, CardStatus, EscalatedTo, Period, card_id
from domain.errors import ActionNotAllowed, InvalidInput, StaleVersion
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.penalty import Penalty, PenaltyStatus
from domain.policy import Forbidden, Permission
from domain.terms import Channel, Kind
from tests.conftest import open_department

CLERK = Actor("U-accountability", Role.UNION_STAFF)
SUPERVISOR = Actor("S-zhao", Role.SUPERVISOR)
COMMITTEE = Actor("C-wu", Role.COMMITTEE)
#: Monday 2 March 2026, 09:00 in China.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)


@pytest.fixture
def accountability(casework: Casework, clock: ManualClock) -> Accountability:
    """The accountability use cases over the test database's Casework, at MONDAY."""
    clock.set(MONDAY)
    return Accountability(casework, policy=CardPolicy())


def department(casework: Casework) -> str:
    """A department no other test uses, opened in the directory."""
    return open_department(casework, "Dept")


def head_of(dept: str) -> Actor:
    """The handler acting for `dept` (its scope is that one department)."""
    return Actor("D-head", Role.DEPARTMENT, departments=frozenset({dept}))


def transferred_appeal(casework: Casework, dept: str, transfers: int = 1) -> UUID:
    """A named appeal transferred `transfers` times (to `dept` last), supervised by S-zhao."""
    appeal_id = casework.raise_appeal(
        AppealDraft(
            channel=Channel.GRID_LIAISON,
            kind=Kind.COMPLAINT,
            category="canteen",
            title="Night canteen closes too early",
            text="The canteen opens for only twenty minutes before the night shift.",
            appellant=Appellant("王建国", "E10234"),
        ),
        CLERK,
    ).id
    route = [open_department(casework, dept) for _ in range(transfers - 1)] + [dept]
    casework.transfer(appeal_id, department=route[0], supervisor=SUPERVISOR.id, actor=CLERK)
    for next_department in route[1:]:
        casework.retransfer(appeal_id, department=next_department, reason="Not ours", actor=CLERK)
    return appeal_id


def automatic(
    accountability: Accountability, dept: str, case_id: UUID, key: str = "deadline-1"
) -> UUID:
    """An automatic overdue-reply penalty against `dept`."""
    return accountability.record_automatic(
        RuleCode.OVERDUE_REPLY,
        department=dept,
        case=CaseRef(CaseType.APPEAL, case_id, "HY-2026-000001"),
        occurrence_key=key,
    ).id


# -- penalties ---------------------------------------------------------------------------


def test_an_automatic_penalty_recorded_twice_is_one_penalty(
    accountability: Accountability, casework: Casework
) -> None:
    dept, case_id = department(casework), uuid4()
    case = CaseRef(CaseType.APPEAL, case_id, "HY-2026-000001")

    first = accountability.record_automatic(
        RuleCode.OVERDUE_REPLY, department=dept, case=case, occurrence_key="due-2026-03-09"
    )
    again = accountability.record_automatic(
        RuleCode.OVERDUE_REPLY, department=dept, case=case, occurrence_key="due-2026-03-09"
    )

    assert first.id == again.id == penalty_id(RuleCode.OVERDUE_REPLY, case_id, "due-2026-03-09")
    assert (again.version, again.position) == (1, 0)
    assert len(accountability.history(first.id)) == 1
    penalty = accountability.get_penalty(first.id)
    assert (penalty.points, penalty.department, penalty.recorded_by) == (-2, dept, AUTOMATIC.id)


def test_a_second_watcher_racing_the_first_finds_the_penalty_in_the_store(
    accountability: Accountability, casework: Casework
) -> None:
    dept, case_id = department(casework), uuid4()
    other_watcher = Accountability(casework)
    key = penalty_id(RuleCode.OVERDUE_REPLY, case_id, "k")
    # The other watcher's penalty lands between this one's look-up and its save.
    racing = Penalty.record(
        id=key,
        rule=other_watcher.rules.rule(RuleCode.OVERDUE_REPLY),
        department=dept,
        case=CaseRef(CaseType.APPEAL, case_id, "HY-2026-000001"),
        actor=AUTOMATIC,
        at=MONDAY,
    )
    casework.save(racing)

    result = accountability.record_automatic(
        RuleCode.OVERDUE_REPLY,
        department=dept,
        case=CaseRef(CaseType.APPEAL, case_id, "HY-2026-000001"),
        occurrence_key="k",
    )

    assert (result.id, result.version) == (key, 1)
    assert len(accountability.history(key)) == 1


def test_perfunctory_handling_is_not_recorded_automatically(
    accountability: Accountability, casework: Casework
) -> None:
    with pytest.raises(InvalidInput):
        accountability.record_automatic(
            RuleCode.PERFUNCTORY_HANDLING,
            department=department(casework),
            case=CaseRef(CaseType.APPEAL, uuid4(), "HY-2026-000001"),
            occurrence_key="x",
        )


def test_overdue_reply_costs_the_responsible_department_two_points_once(
    accountability: Accountability, casework: Casework
) -> None:
    dept = department(casework)
    appeal_id = transferred_appeal(casework, dept)

    deadline = casework.get_appeal(appeal_id).reply_deadline
    assert deadline is not None
    first = accountability.penalise_missed(appeal_id, deadline=deadline)
    again = accountability.penalise_missed(appeal_id, deadline=deadline)

    assert first.id == again.id
    penalty = accountability.get_penalty(first.id)
    assert (penalty.rule_code, penalty.points, penalty.department) == (
        RuleCode.OVERDUE_REPLY,
        -2,
        dept,
    )
    assert penalty.case.id == appeal_id
    assert penalty.case.ref == casework.get_appeal(appeal_id).case_number


def test_the_supervisor_records_perfunctory_handling_and_no_one_else(
    accountability: Accountability, casework: Casework
) -> None:
    dept = department(casework)
    appeal_id = transferred_appeal(casework, dept)

    with pytest.raises(Forbidden) as refused:  # S-other supervises other cases
        accountability.record_perfunctory_handling(
            appeal_id, reason="Form letter", actor=Actor("S-other", Role.SUPERVISOR)
        )
    assert refused.value.permission is Permission.PENALTY_RECORD
    result = accountability.record_perfunctory_handling(
        appeal_id, reason="Form letter, no basis", actor=SUPERVISOR, head_id="D-head"
    )

    penalty = accountability.get_penalty(result.id)
    assert (penalty.points, penalty.department, penalty.head_id) == (-1, dept, "D-head")
    assert (penalty.recorded_by, penalty.recorded_role) == (SUPERVISOR.id, "supervisor")


def test_a_talks_absent_departments_lose_a_point_each_once(
    accountability: Accountability, casework: Casework, clock: ManualClock
) -> None:
    meetings = Meetings(casework)
    present, absent = department(casework), department(casework)
    person = f"P{uuid4().hex[:8]}"
    meeting_id = meetings.schedule(
        kind=MeetingKind.TOPICAL_TALK,
        topic="Night shifts",
        scheduled_for=MONDAY + timedelta(hours=2),
        place="Union hall",
        actor=CLERK,
    ).id
    meetings.invite(meeting_id, participants=[person], departments=[present, absent], actor=CLERK)
    clock.advance(timedelta(hours=2))
    meetings.hold(meeting_id, attendance=[Attendee(person, present)], actor=CLERK)

    first = accountability.penalise_absences(meeting_id)
    again = accountability.penalise_absences(meeting_id)

    assert [r.id for r in first] == [r.id for r in again]
    [penalty] = [accountability.get_penalty(r.id) for r in first]
    assert (penalty.department, penalty.points) == (absent, -1)
    assert penalty.rule_code is RuleCode.ABSENT_FROM_TALK
    assert penalty.case.type is CaseType.MEETING


def test_a_contested_penalty_is_reversed_by_the_committee_and_keeps_its_history(
    accountability: Accountability, casework: Casework
) -> None:
    dept = department(casework)
    penalty_key = automatic(accountability, dept, uuid4())

    accountability.contest(penalty_key, reason="Extension was approved", actor=head_of(dept))
    with pytest.raises(StaleVersion):
        accountability.reverse(penalty_key, reason="x", actor=COMMITTEE, expected_version=1)
    accountability.reverse(
        penalty_key, reason="Extension on file", actor=COMMITTEE, expected_version=2
    )

    penalty = accountability.get_penalty(penalty_key)
    assert penalty.status is PenaltyStatus.REVERSED
    assert penalty.effective_points == 0
    assert [type(e).__name__ for e in accountability.history(penalty_key)] == [
        "Recorded",
        "Contested",
        "Reversed",
    ]
    assert accountability.get_penalty(penalty_key, version=1).counts
    with pytest.raises(ActionNotAllowed):
        accountability.reverse(penalty_key, reason="Again", actor=COMMITTEE)


# -- passing the buck --------------------------------------------------------------------


def test_an_appeal_transferred_three_times_is_flagged(
    accountability: Accountability, casework: Casework
) -> None:
    twice = transferred_appeal(casework, department(casework), transfers=2)
    thrice = transferred_appeal(casework, department(casework), transfers=3)

    assert accountability.transfer_count(twice) == 2
    assert not accountability.buck_check(twice, SUPERVISOR).flagged
    assert accountability.buck_check(thrice, SUPERVISOR).flagged


# -- cards -------------------------------------------------------------------------------


def three_points(accountability: Accountability, dept: str) -> list[UUID]:
    """Three −1 penalties against `dept`, recorded now."""
    return [
        accountability.record_automatic(
            RuleCode.ABSENT_FROM_TALK,
            department=dept,
            case=CaseRef(CaseType.MEETING, uuid4(), "Talk"),
            occurrence_key=dept,
        ).id
        for _ in range(3)
    ]


def test_three_points_in_the_period_issue_one_yellow_card(
    accountability: Accountability, casework: Casework
) -> None:
    dept = department(casework)
    period = accountability.current_period()
    records = accountability.penalty_records(dept, period, three_points(accountability, dept))

    first = accountability.evaluate_cards(dept, period, records, actor=COMMITTEE)
    again = accountability.evaluate_cards(dept, period, records, actor=COMMITTEE)

    assert first.issued is not None
    assert first.issued.id == card_id(dept, CardColour.YELLOW, period.start)
    assert again.issued is None
    assert (first.penalty_points, first.overdue_count) == (3, 0)
    card = accountability.get_card(first.issued.id)
    assert (card.colour, card.status, card.value) == (CardColour.YELLOW, CardStatus.OPEN, 3)
    # Monday 2 March + 10 working days: Monday 16 March, end of day.
    assert card.rectification_deadline == datetime(2026, 3, 16, 23, 59, 59, tzinfo=CHINA_TZ)


def test_a_reversed_penalty_brings_the_department_under_the_threshold(
    accountability: Accountability, casework: Casework
) -> None:
    dept = department(casework)
    ids = three_points(accountability, dept)
    accountability.reverse(ids[0], reason="Was on leave, approved", actor=COMMITTEE)
    period = accountability.current_period()

    evaluation = accountability.evaluate_cards(
        dept, period, accountability.penalty_records(dept, period, ids), actor=COMMITTEE
    )

    assert evaluation.penalty_points == 2
    assert evaluation.finding is None
    assert evaluation.issued is None


def test_penalties_of_another_department_or_period_are_refused(
    accountability: Accountability, casework: Casework
) -> None:
    dept = department(casework)
    ids = three_points(accountability, dept)
    period = accountability.current_period()

    with pytest.raises(InvalidInput) as refused:
        accountability.penalty_records(department(casework), period, ids)
    assert refused.value.field == "penalty_ids"
    with pytest.raises(InvalidInput):
        accountability.penalty_records(dept, accountability.policy.previous_period(period), ids)
    with pytest.raises(Forbidden):  # a department does not evaluate its own cards
        accountability.evaluate_cards(dept, period, [], actor=head_of(dept))


def test_a_card_rectified_in_time_is_cleared(
    accountability: Accountability, casework: Casework, clock: ManualClock
) -> None:
    dept = department(casework)
    period = accountability.current_period()
    records = accountability.penalty_records(dept, period, three_points(accountability, dept))
    issued = accountability.evaluate_cards(dept, period, records, actor=COMMITTEE).issued
    assert issued is not None

    clock.advance(timedelta(days=7))
    accountability.rectify_card(issued.id, note="Sent deputies to every talk", actor=head_of(dept))

    assert accountability.get_card(issued.id).status is CardStatus.CLEARED


def test_an_unrectified_yellow_card_escalates_to_a_red_card_after_its_deadline(
    accountability: Accountability, casework: Casework, clock: ManualClock
) -> None:
    dept = department(casework)
    period = Period(MONDAY.date(), MONDAY.date() + timedelta(days=29))
    records = accountability.penalty_records(dept, period, three_points(accountability, dept))
    issued = accountability.evaluate_cards(dept, period, records, actor=COMMITTEE).issued
    assert issued is not None

    clock.set(datetime(2026, 3, 16, 23, 0, tzinfo=CHINA_TZ))
    with pytest.raises(ActionNotAllowed):
        accountability.escalate_card(issued.id, actor=COMMITTEE)
    clock.set(datetime(2026, 3, 17, 0, 30, tzinfo=CHINA_TZ))
    with pytest.raises(ActionNotAllowed):
        accountability.rectify_card(issued.id, note="Too late", actor=head_of(dept))
    accountability.escalate_card(issued.id)

    yellow = accountability.get_card(issued.id)
    assert (yellow.status, yellow.escalated_to) == (CardStatus.ESCALATED, EscalatedTo.RED_CARD)
    assert yellow.red_card_id is not None
    red = accountability.get_card(yellow.red_card_id)
    assert (red.colour, red.status, red.escalated_from) == (
        CardColour.RED,
        CardStatus.OPEN,
        yellow.id,
    )
    assert red.evidence == yellow.evidence
    # Tuesday 17 March + 10 working days: Tuesday 31 March.
    assert red.rectification_deadline == datetime(2026, 3, 31, 23, 59, 59, tzinfo=CHINA_TZ)
    # A red card is open for the period: evaluating again issues nothing.
    assert accountability.evaluate_cards(dept, period, records, actor=COMMITTEE).issued is None

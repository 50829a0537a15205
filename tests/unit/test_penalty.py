"""Penalties (考核问责): the rule book, recording, contesting, reversing, and every refusal."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.accountability_rules import (
    CaseRef,
    CaseType,
    RuleBook,
    RuleCode,
    passing_the_buck_suspected,
    penalty_id,
)
from domain.actors import Actor, Role
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from domain.meeting_records import Attendee
from domain.penalty import Penalty, PenaltyStatus, absent_departments_to_penalise
from projections.audit_summaries import summary_of
from tests.unit.builders import T0, at
from tests.unit.meeting_builders import assert_refused, nobody_recent, replay, schedule

RULES = RuleBook.default()
SUPERVISOR = Actor("S-zhao", Role.SUPERVISOR)
COMMITTEE = Actor("C-wu", Role.COMMITTEE)
HEAD = Actor("D-logistics-head", Role.DEPARTMENT)
WATCHER = Actor("deadline-watcher", Role.SYSTEM)
APPEAL = CaseRef(CaseType.APPEAL, UUID(int=7), "HY-2026-000007")


def overdue_penalty() -> Penalty:
    """An automatic −2 for an overdue reply, recorded at T0."""
    penalty = Penalty.record(
        id=penalty_id(RuleCode.OVERDUE_REPLY, APPEAL.id, "reply-deadline-1"),
        rule=RULES.rule(RuleCode.OVERDUE_REPLY),
        department="Logistics",
        head_id=HEAD.id,
        case=APPEAL,
        actor=WATCHER,
        at=T0,
    )
    penalty.collect_events()
    return penalty


def perfunctory(actor: Actor = SUPERVISOR, reason: str = "Answered with a form letter") -> Penalty:
    """A −1 for perfunctory handling, recorded by `actor` with the appeal's supervisor S-zhao."""
    return Penalty.record(
        id=uuid4(),
        rule=RULES.rule(RuleCode.PERFUNCTORY_HANDLING),
        department="Logistics",
        case=APPEAL,
        reason=reason,
        supervisor=SUPERVISOR.id,
        actor=actor,
        at=T0,
    )


def contested() -> Penalty:
    """The overdue penalty, contested by the head an hour later."""
    penalty = overdue_penalty()
    penalty.contest_by_department(reason="The appellant asked us to wait", actor=HEAD, at=at(1))
    penalty.collect_events()
    return penalty


# -- the rule book -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "points"),
    [
        (RuleCode.OVERDUE_REPLY, -2),
        (RuleCode.PERFUNCTORY_HANDLING, -1),
        (RuleCode.ABSENT_FROM_TALK, -1),
        (RuleCode.LATE_MONTHLY_REPORT, -1),
    ],
)
def test_the_rule_book_names_each_rule_with_version_and_points(code: RuleCode, points: int) -> None:
    rule = RULES.rule(code)

    assert (rule.code, rule.version, rule.points) == (code, 1, points)
    assert rule.description


def test_perfunctory_handling_is_not_an_automatic_rule() -> None:
    with pytest.raises(InvalidInput) as refused:
        RULES.automatic(RuleCode.PERFUNCTORY_HANDLING)

    assert refused.value.field == "rule"
    assert RULES.automatic(RuleCode.OVERDUE_REPLY).points == -2


def test_an_automatic_penalty_id_is_the_same_for_the_same_occurrence() -> None:
    case = uuid4()
    first = penalty_id(RuleCode.OVERDUE_REPLY, case, "deadline-2026-03-09")

    assert penalty_id(RuleCode.OVERDUE_REPLY, case, "deadline-2026-03-09") == first
    assert penalty_id(RuleCode.OVERDUE_REPLY, case, "deadline-2026-03-16") != first
    assert penalty_id(RuleCode.ABSENT_FROM_TALK, case, "deadline-2026-03-09") != first
    with pytest.raises(InvalidInput):
        penalty_id(RuleCode.OVERDUE_REPLY, case, "  ")


def test_three_transfers_flag_an_appeal_for_passing_the_buck() -> None:
    assert not passing_the_buck_suspected(2)
    assert passing_the_buck_suspected(3)


# -- recording ---------------------------------------------------------------------------


def test_overdue_reply_costs_the_department_two_points_and_says_which_rule_and_case() -> None:
    penalty = overdue_penalty()

    assert penalty.points == -2
    assert penalty.effective_points == -2
    assert (penalty.rule_code, penalty.rule_version) == (RuleCode.OVERDUE_REPLY, 1)
    assert (penalty.department, penalty.head_id) == ("Logistics", HEAD.id)
    assert penalty.case == APPEAL
    assert (penalty.recorded_by, penalty.recorded_role) == (WATCHER.id, "system")
    assert penalty.status is PenaltyStatus.RECORDED
    assert penalty.counts


def test_the_supervisor_records_perfunctory_handling_with_a_reason() -> None:
    penalty = perfunctory()

    [recorded] = penalty.collect_events()
    assert isinstance(recorded, Penalty.Recorded)
    assert (recorded.actor_id, recorded.actor_role) == (SUPERVISOR.id, "supervisor")
    assert recorded.timestamp == T0
    assert recorded.points == -1
    assert recorded.reason == "Answered with a form letter"


def test_perfunctory_handling_without_a_reason_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        perfunctory(reason="  ")

    assert refused.value.field == "reason"


def test_only_the_appeals_supervisor_records_perfunctory_handling() -> None:
    with pytest.raises(NotPermitted):
        perfunctory(actor=Actor("S-other", Role.SUPERVISOR))


def test_perfunctory_handling_of_an_untransferred_appeal_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        Penalty.record(
            id=uuid4(),
            rule=RULES.rule(RuleCode.PERFUNCTORY_HANDLING),
            department="",
            case=APPEAL,
            reason="Ignored it",
            supervisor=None,
            actor=SUPERVISOR,
            at=T0,
        )

    assert refused.value.field == "case"


def test_a_penalty_without_a_time_zone_or_department_is_refused() -> None:
    rule = RULES.rule(RuleCode.ABSENT_FROM_TALK)
    with pytest.raises(InvalidInput):
        Penalty.record(
            id=uuid4(),
            rule=rule,
            department="Works",
            case=APPEAL,
            actor=WATCHER,
            at=T0.replace(tzinfo=None),
        )
    with pytest.raises(InvalidInput) as refused:
        Penalty.record(id=uuid4(), rule=rule, department=" ", case=APPEAL, actor=WATCHER, at=T0)
    assert refused.value.field == "department"


# -- contesting and reversing ------------------------------------------------------------


def test_the_department_contests_and_the_committee_reverses_keeping_the_original() -> None:
    penalty = contested()
    penalty.reverse(reason="The appellant's request is on file", actor=COMMITTEE, at=at(24))

    events = penalty.collect_events()
    assert penalty.status is PenaltyStatus.REVERSED
    assert not penalty.counts
    assert penalty.effective_points == 0
    assert penalty.points == -2
    assert penalty.reversal is not None
    assert (penalty.reversal.by, penalty.reversal.role) == (COMMITTEE.id, "committee")
    [reversed_] = events
    assert isinstance(reversed_, Penalty.Reversed)
    assert reversed_.timestamp == at(24)


def test_the_committee_rejects_a_contest_and_the_penalty_still_counts() -> None:
    penalty = contested()
    penalty.reject_contest(reason="No written request on file", actor=COMMITTEE, at=at(24))

    assert penalty.status is PenaltyStatus.UPHELD
    assert penalty.counts
    assert penalty.contest is not None
    assert penalty.contest_rejection is not None
    assert penalty.contest_rejection.reason == "No written request on file"


def test_a_penalty_replays_from_its_events() -> None:
    penalty = Penalty.record(
        id=uuid4(),
        rule=RULES.rule(RuleCode.OVERDUE_REPLY),
        department="Logistics",
        case=APPEAL,
        actor=WATCHER,
        at=T0,
    )
    penalty.contest_by_department(reason="Not ours", actor=HEAD, at=at(1))
    penalty.reverse(reason="Agreed", actor=COMMITTEE, at=at(2))
    events = penalty.collect_events()

    rebuilt = replay(penalty, events)

    assert rebuilt.status is PenaltyStatus.REVERSED
    assert rebuilt.contest.reason == "Not ours"


def test_reversing_twice_is_refused() -> None:
    penalty = overdue_penalty()
    penalty.reverse(reason="Holiday shift", actor=COMMITTEE, at=at(1))

    assert_refused(
        penalty,
        lambda: penalty.reverse(reason="Again", actor=COMMITTEE, at=at(2)),
        ActionNotAllowed,
    )


def test_reversing_without_a_reason_is_refused() -> None:
    penalty = overdue_penalty()

    error = assert_refused(
        penalty, lambda: penalty.reverse(reason=" ", actor=COMMITTEE, at=at(1)), InvalidInput
    )
    assert isinstance(error, InvalidInput)
    assert error.field == "reason"


def test_only_the_penalised_head_contests_and_only_once() -> None:
    penalty = overdue_penalty()
    assert_refused(
        penalty,
        lambda: penalty.contest_by_department(reason="x", actor=SUPERVISOR, at=at(1)),
        NotPermitted,
    )
    other_head = Actor("D-works-head", Role.DEPARTMENT)
    assert_refused(
        penalty,
        lambda: penalty.contest_by_department(reason="x", actor=other_head, at=at(1)),
        NotPermitted,
    )

    penalty = contested()
    assert_refused(
        penalty,
        lambda: penalty.contest_by_department(reason="again", actor=HEAD, at=at(2)),
        ActionNotAllowed,
    )


def test_a_contest_cannot_be_rejected_unless_there_is_one() -> None:
    penalty = overdue_penalty()

    assert_refused(
        penalty,
        lambda: penalty.reject_contest(reason="x", actor=COMMITTEE, at=at(1)),
        ActionNotAllowed,
    )


# -- absences from talks -----------------------------------------------------------------


def test_a_held_talk_names_the_absent_departments_to_penalise() -> None:
    meeting = schedule()
    meeting.invite(
        participants=["E0001"],
        departments=["Works", "Logistics"],
        recent=nobody_recent(),
        override_reason=None,
        actor=SUPERVISOR,
        at=at(1),
    )
    with pytest.raises(ActionNotAllowed):
        absent_departments_to_penalise(meeting)
    meeting.hold(
        attendance=[Attendee("E0001", "Works")],
        publication_deadline=None,
        actor=SUPERVISOR,
        at=at(25),
    )

    assert absent_departments_to_penalise(meeting) == ["Logistics"]


def test_the_audit_trail_says_how_many_points_a_penalty_takes() -> None:
    [recorded] = perfunctory().collect_events()
    assert isinstance(recorded, Penalty.Recorded)

    assert summary_of(recorded, SUPERVISOR.id) == (
        "Logistics 扣 1 分 (perfunctory-handling v1, HY-2026-000007)"
    )

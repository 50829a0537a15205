"""Workers' congress proposals: assignment published on time, completion reported back."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from uuid import uuid4

import pytest

from domain.actors import Actor, Role
from domain.calendar import CHINA_TZ
from domain.errors import ActionNotAllowed, InvalidInput
from domain.meeting_terms import ProposalStatus
from domain.proposal import Proposal
from tests.unit.builders import T0, at
from tests.unit.meeting_builders import (
    DEPARTMENT,
    ORGANISER,
    assert_refused,
    proposal,
    replay,
)

EVIDENCE = ["https://oa.example.com/notices/2026-031", "https://oa.example.com/photos/bath"]


def assigned() -> Proposal:
    """A proposal whose assignment result was published a day after T0."""
    item = proposal()
    item.publish_assignment(result="Logistics, by 1 April", actor=ORGANISER, at=at(24))
    item.collect_events()
    return item


def test_a_proposal_carries_problem_solution_department_and_deadline() -> None:
    item = proposal()

    assert item.status is ProposalStatus.REGISTERED
    assert item.problem.startswith("The bath house")
    assert item.solution == "Keep it open until 07:00."
    assert item.department == "Logistics"
    assert item.deadline == at(24 * 30)
    assert item.proposer == "E0042"
    # The congress was held on Monday 2 March 2026: seven working days later.
    assert item.assignment_deadline.due == datetime(2026, 3, 11, 23, 59, 59, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("problem", ""),
        ("solution", " "),
        ("department", ""),
        ("deadline", T0 - timedelta(days=1)),
    ],
)
def test_registering_refuses_a_missing_part(field: str, value: object) -> None:
    template = proposal()
    fields: dict[str, object] = {
        "id": uuid4(),
        "meeting_id": template.meeting_id,
        "proposer": "",
        "problem": "p",
        "solution": "s",
        "department": "d",
        "deadline": at(100),
        "assignment_deadline": template.assignment_deadline,
        "actor": ORGANISER,
        "at": T0,
        field: value,
    }

    with pytest.raises(InvalidInput) as refused:
        Proposal.register(**fields)  # type: ignore[arg-type]

    assert refused.value.field == field


def test_the_assignment_result_is_published_and_its_time_recorded() -> None:
    item = assigned()

    assert item.status is ProposalStatus.ASSIGNED
    assert item.assignment_result == "Logistics, by 1 April"
    assert item.assignment_published_at == at(24)
    assert not item.assignment_late


def test_an_assignment_published_after_seven_working_days_is_late() -> None:
    item = proposal()
    due = item.assignment_deadline.due
    assert item.assignment_overdue(due + timedelta(seconds=1))

    item.publish_assignment(result="Logistics", actor=ORGANISER, at=due + timedelta(hours=1))

    assert item.assignment_late
    assert not item.assignment_overdue(due + timedelta(days=3))


def test_a_missed_assignment_deadline_is_recorded_once_and_only_once_it_passed() -> None:
    item = proposal()
    due = item.assignment_deadline.due
    watcher = Actor("huiyin-accountability", Role.SYSTEM)

    assert_refused(
        item,
        lambda: item.record_missed_assignment(actor=watcher, at=due - timedelta(seconds=1)),
        ActionNotAllowed,
    )
    item.record_missed_assignment(actor=watcher, at=due + timedelta(seconds=1))
    [event] = item.collect_events()
    assert isinstance(event, Proposal.AssignmentMissed)
    assert event.deadline == item.assignment_deadline.to_record()
    assert_refused(
        item,
        lambda: item.record_missed_assignment(actor=watcher, at=due + timedelta(days=1)),
        ActionNotAllowed,
    )


def test_completion_is_reported_back_with_evidence_links() -> None:
    item = assigned()

    item.report_completion(
        text="Open until 07:00 since 20 March.",
        evidence_links=EVIDENCE,
        actor=DEPARTMENT,
        at=at(24 * 20),
    )

    assert item.status is ProposalStatus.COMPLETED
    assert item.evidence_links == EVIDENCE
    assert item.completed_at == at(24 * 20)
    assert not item.completed_late


def test_the_whole_history_replays_to_the_same_proposal() -> None:
    item = proposal()
    item.publish_assignment(result="Logistics", actor=ORGANISER, at=at(24))
    item.report_completion(text="Done", evidence_links=EVIDENCE, actor=DEPARTMENT, at=at(48))

    rebuilt = replay(item, item.collect_events())

    assert rebuilt.status is ProposalStatus.COMPLETED
    assert rebuilt.evidence_links == EVIDENCE
    assert rebuilt.assignment_published_at == at(24)


def test_completion_reported_after_the_deadline_is_late() -> None:
    item = assigned()

    item.report_completion(
        text="Done", evidence_links=EVIDENCE[:1], actor=DEPARTMENT, at=at(24 * 31)
    )

    assert item.completed_late


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Done", []),
        ("Done", ["not a link"]),
        ("Done", [EVIDENCE[0], EVIDENCE[0]]),
        ("", EVIDENCE),
    ],
    ids=["no links", "not a link", "a link twice", "no text"],
)
def test_completion_needs_text_and_valid_distinct_links(text: str, links: list[str]) -> None:
    item = assigned()

    assert_refused(
        item,
        lambda: item.report_completion(
            text=text, evidence_links=links, actor=DEPARTMENT, at=at(48)
        ),
        InvalidInput,
    )


def test_commands_out_of_order_are_refused() -> None:
    registered = proposal()
    registered.collect_events()
    done = assigned()
    done.report_completion(text="Done", evidence_links=EVIDENCE, actor=DEPARTMENT, at=at(48))
    done.collect_events()

    error = assert_refused(
        registered,
        lambda: registered.report_completion(
            text="Done", evidence_links=EVIDENCE, actor=DEPARTMENT, at=at(48)
        ),
        ActionNotAllowed,
    )
    assert error.message == "cannot report completion of a proposal that is registered"
    for target in (assigned(), done):
        publish_again = partial(target.publish_assignment, result="x", actor=ORGANISER, at=at(60))
        assert_refused(target, publish_again, ActionNotAllowed)

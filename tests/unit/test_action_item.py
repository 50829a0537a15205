"""Action items (协作事项清单): lifecycle, acceptance, overdue, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from domain.action_item import ActionItem, Note
from domain.actors import Actor, Role
from domain.errors import ActionNotAllowed, InvalidInput
from domain.meeting_terms import ActionItemStatus
from domain.values import clean_url
from tests.unit.builders import T0, at
from tests.unit.meeting_builders import (
    DEPARTMENT,
    HR_CLERK,
    ORGANISER,
    action_item,
    assert_refused,
    replay,
)

SYSTEM = Actor("overdue-watcher", Role.SYSTEM)


def submitted() -> ActionItem:
    """An item whose work was submitted for acceptance two days after T0."""
    item = action_item()
    item.submit_for_acceptance(note="Opened at 05:00 all week", actor=DEPARTMENT, at=at(48))
    item.collect_events()
    return item


def accepted() -> ActionItem:
    """An item accepted three days after T0."""
    item = submitted()
    item.accept(note="Checked on site", actor=HR_CLERK, at=at(72))
    item.collect_events()
    return item


# -- creating ----------------------------------------------------------------------------


def test_an_item_is_created_from_a_decision_with_department_deadline_and_criteria() -> None:
    item = action_item()

    assert item.status is ActionItemStatus.IN_PROGRESS
    assert item.decision_ref == "D1"
    assert item.department == "Logistics"
    assert item.deadline == at(24 * 7)
    assert item.acceptance_criteria.startswith("Canteen open")
    [created] = item.collect_events()
    assert isinstance(created, ActionItem.Created)
    assert (created.actor_id, created.actor_role) == (HR_CLERK.id, "hr")


def _create(**changes: object) -> ActionItem:
    fields: dict[str, object] = {
        "id": uuid4(),
        "meeting_id": uuid4(),
        "decision_ref": "D1",
        "task": "Open the canteen at 05:00",
        "department": "Logistics",
        "deadline": at(24 * 7),
        "acceptance_criteria": "Open at 05:00",
        "actor": HR_CLERK,
        "at": T0,
    }
    fields.update(changes)
    return ActionItem.create(**fields)  # type: ignore[arg-type]


CREATE_REFUSALS: list[tuple[str, dict[str, object], str]] = [
    ("no department", {"department": " "}, "department"),
    ("no acceptance criteria", {"acceptance_criteria": ""}, "acceptance_criteria"),
    ("no task", {"task": ""}, "task"),
    ("no decision", {"decision_ref": ""}, "decision_ref"),
    ("deadline in the past", {"deadline": T0 - timedelta(minutes=1)}, "deadline"),
    ("deadline now", {"deadline": T0}, "deadline"),
    ("deadline without time zone", {"deadline": datetime(2026, 3, 9, 18)}, "deadline"),
]


@pytest.mark.parametrize(
    ("case", "changes", "field"), CREATE_REFUSALS, ids=[c[0] for c in CREATE_REFUSALS]
)
def test_creating_refuses_a_missing_or_invalid_field(
    case: str, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _create(**changes)

    assert refused.value.field == field


# -- working, accepting, rejecting -------------------------------------------------------


def test_progress_is_recorded_in_order() -> None:
    item = action_item()

    item.report_progress(note="Staff hired", actor=DEPARTMENT, at=at(10))
    item.report_progress(note="Kitchen adapted", actor=DEPARTMENT, at=at(20))

    assert item.progress == [
        Note("Staff hired", at(10), DEPARTMENT.id),
        Note("Kitchen adapted", at(20), DEPARTMENT.id),
    ]
    assert item.status is ActionItemStatus.IN_PROGRESS


def test_accepted_work_is_done_and_on_time() -> None:
    item = accepted()

    assert item.status is ActionItemStatus.ACCEPTED
    assert item.accepted_at == at(72)
    assert item.acceptance == Note("Checked on site", at(72), HR_CLERK.id)
    assert not item.accepted_late


def test_rejected_work_goes_back_in_progress_with_the_reason() -> None:
    item = submitted()

    item.reject(reason="Closed again on Thursday", actor=HR_CLERK, at=at(60))

    assert item.status is ActionItemStatus.IN_PROGRESS
    assert item.rejections == [Note("Closed again on Thursday", at(60), HR_CLERK.id)]
    item.report_progress(note="Rota fixed", actor=DEPARTMENT, at=at(70))
    item.submit_for_acceptance(note="Again", actor=DEPARTMENT, at=at(80))
    assert len(item.submissions) == 2


def test_the_whole_history_replays_to_the_same_item() -> None:
    item = action_item()
    item.report_progress(note="Started", actor=DEPARTMENT, at=at(10))
    item.submit_for_acceptance(note="Done", actor=DEPARTMENT, at=at(20))
    item.reject(reason="Not yet", actor=HR_CLERK, at=at(30))
    item.submit_for_acceptance(note="Done now", actor=DEPARTMENT, at=at(40))
    item.accept(note="", actor=HR_CLERK, at=at(50))

    rebuilt = replay(item, item.collect_events())

    assert rebuilt.status is ActionItemStatus.ACCEPTED
    assert rebuilt.rejections == item.rejections
    assert rebuilt.submissions == item.submissions


def test_a_rejection_needs_a_reason() -> None:
    item = submitted()

    assert_refused(item, lambda: item.reject(reason=" ", actor=HR_CLERK, at=at(60)), InvalidInput)


def test_progress_needs_a_note() -> None:
    item = action_item()

    assert_refused(
        item, lambda: item.report_progress(note="", actor=DEPARTMENT, at=at(5)), InvalidInput
    )


#: Each command, and the statuses that allow it.
COMMANDS: dict[str, tuple[str, Callable[[ActionItem], None], set[ActionItemStatus]]] = {
    "report_progress": (
        "report progress on",
        lambda i: i.report_progress(note="More", actor=DEPARTMENT, at=at(100)),
        {ActionItemStatus.IN_PROGRESS},
    ),
    "submit": (
        "submit for acceptance",
        lambda i: i.submit_for_acceptance(note="Done", actor=DEPARTMENT, at=at(100)),
        {ActionItemStatus.IN_PROGRESS},
    ),
    "accept": (
        "accept",
        lambda i: i.accept(note="", actor=HR_CLERK, at=at(100)),
        {ActionItemStatus.SUBMITTED},
    ),
    "reject": (
        "reject",
        lambda i: i.reject(reason="No", actor=HR_CLERK, at=at(100)),
        {ActionItemStatus.SUBMITTED},
    ),
}

BUILT: dict[ActionItemStatus, Callable[[], ActionItem]] = {
    ActionItemStatus.IN_PROGRESS: action_item,
    ActionItemStatus.SUBMITTED: submitted,
    ActionItemStatus.ACCEPTED: accepted,
}


@pytest.mark.parametrize(
    ("command", "status"),
    [(c, s) for c in COMMANDS for s in ActionItemStatus if s not in COMMANDS[c][2]],
)
def test_commands_out_of_order_are_refused_naming_action_and_state(
    command: str, status: ActionItemStatus
) -> None:
    action, call, _ = COMMANDS[command]
    item = BUILT[status]()

    error = assert_refused(item, lambda: call(item), ActionNotAllowed)

    assert error.message == f"cannot {action} an action item that is {status.value}"


# -- overdue -----------------------------------------------------------------------------


def test_an_item_past_its_deadline_and_unaccepted_is_marked_overdue() -> None:
    item = submitted()
    late = item.deadline + timedelta(minutes=1)
    assert item.overdue_at_moment(late)

    item.mark_overdue(actor=SYSTEM, at=late)

    assert item.overdue
    assert item.overdue_at == late
    [marked] = item.collect_events()
    assert isinstance(marked, ActionItem.MarkedOverdue)
    assert marked.deadline == item.deadline
    assert (marked.actor_id, marked.actor_role) == (SYSTEM.id, "system")


def test_an_overdue_item_can_still_be_finished_and_is_then_accepted_late() -> None:
    item = action_item()
    late = item.deadline + timedelta(days=1)
    item.mark_overdue(actor=SYSTEM, at=late)

    item.submit_for_acceptance(note="Finally", actor=DEPARTMENT, at=late + timedelta(hours=1))
    item.accept(note="", actor=ORGANISER, at=late + timedelta(hours=2))

    assert item.overdue
    assert item.accepted_late


def test_marking_overdue_before_the_deadline_is_refused() -> None:
    item = action_item()

    error = assert_refused(
        item, lambda: item.mark_overdue(actor=SYSTEM, at=item.deadline), ActionNotAllowed
    )

    assert "has not passed" in error.message
    assert not item.overdue_at_moment(item.deadline)


def test_marking_an_accepted_item_overdue_is_refused() -> None:
    item = accepted()

    assert_refused(
        item,
        lambda: item.mark_overdue(actor=SYSTEM, at=item.deadline + timedelta(days=1)),
        ActionNotAllowed,
    )
    assert not item.overdue_at_moment(item.deadline + timedelta(days=1))


def test_an_item_is_marked_overdue_only_once() -> None:
    item = action_item()
    item.mark_overdue(actor=SYSTEM, at=item.deadline + timedelta(days=1))

    error = assert_refused(
        item,
        lambda: item.mark_overdue(actor=SYSTEM, at=item.deadline + timedelta(days=2)),
        ActionNotAllowed,
    )

    assert "was marked overdue" in error.message


# -- links -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link", ["ftp://files.example.com/a", "example.com/report", "https://", "https://a b.com/x"]
)
def test_only_http_links_are_accepted(link: str) -> None:
    with pytest.raises(InvalidInput):
        clean_url("evidence_links", link)


def test_http_links_are_kept_trimmed() -> None:
    assert clean_url("link", " https://oa.example.com/doc/1 ") == "https://oa.example.com/doc/1"

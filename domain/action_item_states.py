"""The action item's state machine: each command, the states that allow it, and where it leads.

`ActionItem` refuses a command its state does not allow by looking it up in
`ACTION_ITEM_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.meeting_terms import ActionItemStatus
from domain.transitions import StateTable, Transition


class ActionItemCommand(StrEnum):
    """What can be done to an action item once created from a decision."""

    REPORT_PROGRESS = "report_progress"
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    MARK_OVERDUE = "mark_overdue"


#: The work is not accepted yet: the department owes it (and its deadline runs).
UNACCEPTED = frozenset({ActionItemStatus.IN_PROGRESS, ActionItemStatus.SUBMITTED})

ACTION_ITEM_STATES: StateTable[ActionItemCommand, ActionItemStatus] = StateTable(
    subject="action item",
    initial=ActionItemStatus.IN_PROGRESS,
    commands={
        ActionItemCommand.REPORT_PROGRESS: Transition(
            "report progress on",
            allowed={ActionItemStatus.IN_PROGRESS},
            events=("ProgressReported",),
        ),
        ActionItemCommand.SUBMIT: Transition(
            "submit for acceptance",
            allowed={ActionItemStatus.IN_PROGRESS},
            events=("SubmittedForAcceptance",),
        ),
        ActionItemCommand.ACCEPT: Transition(
            "accept", allowed={ActionItemStatus.SUBMITTED}, events=("Accepted",)
        ),
        ActionItemCommand.REJECT: Transition(
            "reject", allowed={ActionItemStatus.SUBMITTED}, events=("Rejected",)
        ),
        ActionItemCommand.MARK_OVERDUE: Transition(
            "mark overdue",
            allowed=UNACCEPTED,
            events=("MarkedOverdue",),
            condition="once, after its deadline",
        ),
    },
    events={
        "SubmittedForAcceptance": ActionItemStatus.SUBMITTED,
        "Accepted": ActionItemStatus.ACCEPTED,
        "Rejected": ActionItemStatus.IN_PROGRESS,
    },
)

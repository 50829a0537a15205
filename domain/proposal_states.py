"""The congress proposal's state machine: each command, the states that allow it, and where
it leads. `Proposal` refuses a command its state does not allow by looking it up in
`PROPOSAL_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.meeting_terms import ProposalStatus
from domain.transitions import StateTable, Transition


class ProposalCommand(StrEnum):
    """What can be done to a proposal once registered at a congress."""

    PUBLISH_ASSIGNMENT = "publish_assignment"
    REPORT_COMPLETION = "report_completion"


PROPOSAL_STATES: StateTable[ProposalCommand, ProposalStatus] = StateTable(
    subject="proposal",
    initial=ProposalStatus.REGISTERED,
    commands={
        ProposalCommand.PUBLISH_ASSIGNMENT: Transition(
            "publish the assignment of",
            allowed={ProposalStatus.REGISTERED},
            events=("AssignmentPublished",),
        ),
        ProposalCommand.REPORT_COMPLETION: Transition(
            "report completion of",
            allowed={ProposalStatus.ASSIGNED},
            events=("CompletionReported",),
            condition="with links to the evidence",
        ),
    },
    events={
        "AssignmentPublished": ProposalStatus.ASSIGNED,
        "CompletionReported": ProposalStatus.COMPLETED,
    },
)

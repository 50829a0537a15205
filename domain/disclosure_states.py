"""The disclosure's states and its state machine: each command, the states that allow it,
and where it leads. `Disclosure` refuses a command its state does not allow by looking it
up in `DISCLOSURE_STATES`, and sets the state each event leads to from it; the disclosure
feed shows the same states.
"""

from __future__ import annotations

from enum import StrEnum

from domain.transitions import StateTable, Transition


class DisclosureStatus(StrEnum):
    """Where a disclosure stands."""

    PROPOSED = "proposed"  # 待审核
    RETURNED = "returned"  # 已退回
    APPROVED = "approved"  # 已审核
    PUBLISHED = "published"  # 已公示
    WITHDRAWN = "withdrawn"  # 已撤回


#: The states the public feed shows.
PUBLIC_STATUSES = frozenset({DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN})


class DisclosureCommand(StrEnum):
    """What can be done to a disclosure once proposed."""

    APPROVE = "approve"
    RETURN = "return"
    REVISE = "revise"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"


DISCLOSURE_STATES: StateTable[DisclosureCommand, DisclosureStatus] = StateTable(
    subject="disclosure",
    initial=DisclosureStatus.PROPOSED,
    commands={
        DisclosureCommand.APPROVE: Transition(
            "approve",
            allowed={DisclosureStatus.PROPOSED},
            events=("Approved",),
            condition="by a committee member who did not write it",
        ),
        DisclosureCommand.RETURN: Transition(
            "return",
            allowed={DisclosureStatus.PROPOSED},
            events=("Returned",),
            condition="by a committee member who did not write it",
        ),
        DisclosureCommand.REVISE: Transition(
            "revise", allowed={DisclosureStatus.RETURNED}, events=("Revised",)
        ),
        DisclosureCommand.PUBLISH: Transition(
            "publish", allowed={DisclosureStatus.APPROVED}, events=("Published",)
        ),
        DisclosureCommand.WITHDRAW: Transition(
            "withdraw", allowed={DisclosureStatus.PUBLISHED}, events=("Withdrawn",)
        ),
    },
    events={
        "Approved": DisclosureStatus.APPROVED,
        "Returned": DisclosureStatus.RETURNED,
        "Revised": DisclosureStatus.PROPOSED,
        "Published": DisclosureStatus.PUBLISHED,
        "Withdrawn": DisclosureStatus.WITHDRAWN,
    },
)

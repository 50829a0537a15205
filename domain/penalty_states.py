"""The penalty's states and its state machine: each command, the states that allow it, and
where it leads. `Penalty` refuses a command its state does not allow by looking it up in
`PENALTY_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.transitions import StateTable, Transition


class PenaltyStatus(StrEnum):
    """Where a penalty stands."""

    RECORDED = "recorded"  # 已记录
    CONTESTED = "contested"  # 申诉中
    UPHELD = "upheld"  # 申诉驳回，维持
    REVERSED = "reversed"  # 已撤销


class PenaltyCommand(StrEnum):
    """What can be done to a penalty once recorded."""

    CONTEST = "contest"
    REJECT_CONTEST = "reject_contest"
    REVERSE = "reverse"


PENALTY_STATES: StateTable[PenaltyCommand, PenaltyStatus] = StateTable(
    subject="penalty",
    initial=PenaltyStatus.RECORDED,
    commands={
        PenaltyCommand.CONTEST: Transition(
            "contest",
            allowed={PenaltyStatus.RECORDED},
            events=("Contested",),
            condition="by the penalised head",
        ),
        PenaltyCommand.REJECT_CONTEST: Transition(
            "reject the contest of",
            allowed={PenaltyStatus.CONTESTED},
            events=("ContestRejected",),
        ),
        PenaltyCommand.REVERSE: Transition(
            "reverse",
            allowed={PenaltyStatus.RECORDED, PenaltyStatus.CONTESTED, PenaltyStatus.UPHELD},
            events=("Reversed",),
        ),
    },
    events={
        "Contested": PenaltyStatus.CONTESTED,
        "ContestRejected": PenaltyStatus.UPHELD,
        "Reversed": PenaltyStatus.REVERSED,
    },
)

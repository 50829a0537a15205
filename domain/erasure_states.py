"""The erasure's states and its state machine: each command, the states that allow it, and
where it leads. `Erasure` refuses a command its state does not allow by looking it up in
`ERASURE_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.transitions import StateTable, Transition


class ErasureStatus(StrEnum):
    """Where an erasure stands."""

    REQUESTED = "requested"  # 待复核
    CONFIRMED = "confirmed"  # 已复核，正在删除
    COMPLETED = "completed"  # 已删除
    CANCELLED = "cancelled"  # 已撤销


class ErasureCommand(StrEnum):
    """What can be done to an erasure once requested."""

    CONFIRM = "confirm"
    COMPLETE = "complete"
    CANCEL = "cancel"


ERASURE_STATES: StateTable[ErasureCommand, ErasureStatus] = StateTable(
    subject="erasure",
    initial=ErasureStatus.REQUESTED,
    commands={
        ErasureCommand.CONFIRM: Transition(
            "confirm",
            allowed={ErasureStatus.REQUESTED},
            events=("Confirmed",),
            condition="by another committee member than the one who asked",
        ),
        ErasureCommand.COMPLETE: Transition(
            "complete", allowed={ErasureStatus.CONFIRMED}, events=("Completed",)
        ),
        ErasureCommand.CANCEL: Transition(
            "cancel", allowed={ErasureStatus.REQUESTED}, events=("Cancelled",)
        ),
    },
    events={
        "Confirmed": ErasureStatus.CONFIRMED,
        "Completed": ErasureStatus.COMPLETED,
        "Cancelled": ErasureStatus.CANCELLED,
    },
)

"""The red or yellow card's states and its state machine: each command, the states that
allow it, and where it leads. `Card` refuses a command its state does not allow by looking
it up in `CARD_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.transitions import StateTable, Transition


class CardStatus(StrEnum):
    """Where a card stands."""

    OPEN = "open"  # 限期整改中
    CLEARED = "cleared"  # 按期整改，销号
    ESCALATED = "escalated"  # 逾期未整改，升级


class CardCommand(StrEnum):
    """What can be done to a card once issued."""

    RECTIFY = "rectify"
    ESCALATE = "escalate"


CARD_STATES: StateTable[CardCommand, CardStatus] = StateTable(
    subject="card",
    initial=CardStatus.OPEN,
    commands={
        CardCommand.RECTIFY: Transition(
            "rectify",
            allowed={CardStatus.OPEN},
            events=("Rectified",),
            condition="by its rectification deadline",
        ),
        CardCommand.ESCALATE: Transition(
            "escalate",
            allowed={CardStatus.OPEN},
            events=("Escalated",),
            condition="after its rectification deadline",
        ),
    },
    events={"Rectified": CardStatus.CLEARED, "Escalated": CardStatus.ESCALATED},
)

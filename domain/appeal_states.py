"""The appeal's state machine: each command, the states that allow it, and where it leads.

`Appeal` refuses a command its state does not allow by looking it up in `APPEAL_STATES`,
and sets the state each event leads to from it; the case index lists the same states, and
the docs' table is `appeal_transitions_markdown()` (a test compares them).
"""

from __future__ import annotations

from enum import StrEnum

from domain.terms import Status
from domain.transitions import StateTable, Transition, describe


class AppealCommand(StrEnum):
    """What can be done to an appeal once raised: `POST /appeals/{id}/<value>`."""

    ANSWER_ON_SPOT = "answer-on-spot"
    TRANSFER = "transfer"
    CONTACT = "contact"
    ACKNOWLEDGE = "acknowledge"
    RETRANSFER = "retransfer"
    EXTEND_DEADLINE = "extend-deadline"
    REPLY = "reply"
    PUBLISH = "publish"
    RATE = "rate"
    ADOPT = "adopt"
    DECLINE = "decline"
    CLOSE = "close"
    WITHDRAW = "withdraw"


#: With a department, which owes a reply (the reply deadline runs).
OPEN_FOR_WORK = frozenset({Status.TRANSFERRED, Status.ACKNOWLEDGED})
#: Nothing more happens to the appeal.
FINAL = frozenset({Status.CLOSED, Status.WITHDRAWN})
NOT_FINAL = frozenset(Status) - FINAL
#: A suggestion not yet adopted or declined.
UNDECIDED = NOT_FINAL - {Status.ADOPTED}

APPEAL_STATES: StateTable[AppealCommand, Status] = StateTable(
    subject="appeal",
    initial=Status.RAISED,
    commands={
        AppealCommand.ANSWER_ON_SPOT: Transition(
            "answer on the spot",
            allowed={Status.RAISED},
            events=("AnsweredOnSpot", "Closed"),
            condition="face-to-face channels; `close: true` closes it at once",
            label="answer on the spot (现场答复)",
        ),
        AppealCommand.TRANSFER: Transition(
            "transfer",
            allowed={Status.RAISED, Status.ANSWERED},
            events=("Transferred",),
            label="transfer (转办)",
        ),
        AppealCommand.CONTACT: Transition(
            "record contact with the appellant of",
            allowed=NOT_FINAL,
            events=("Contacted",),
            condition="named appeals",
            label="record that the appellant was reached, and how",
        ),
        AppealCommand.ACKNOWLEDGE: Transition(
            "acknowledge",
            allowed={Status.TRANSFERRED},
            events=("Acknowledged",),
            label="department takes it on",
        ),
        AppealCommand.RETRANSFER: Transition(
            "re-transfer",
            allowed=OPEN_FOR_WORK,
            events=("Retransferred",),
            label="re-transfer, with reason",
        ),
        AppealCommand.EXTEND_DEADLINE: Transition(
            "extend the deadline of",
            allowed=OPEN_FOR_WORK | {Status.ADOPTED},
            events=("DeadlineExtended",),
            label="extend the reply deadline (reason, approver)",
        ),
        AppealCommand.REPLY: Transition(
            "reply to",
            allowed=OPEN_FOR_WORK,
            events=("Replied",),
            label="reply with basis (依据)",
        ),
        AppealCommand.PUBLISH: Transition(
            "publish the reply of",
            allowed={Status.REPLIED},
            events=("ReplyPublished",),
            label="publish (公示), no personal data",
        ),
        AppealCommand.RATE: Transition(
            "rate",
            allowed={Status.ANSWERED, Status.PUBLISHED},
            events=("Rated", "Reopened"),
            condition="by the appellant (or union staff for them); dissatisfied reopens it",
        ),
        AppealCommand.ADOPT: Transition(
            "adopt",
            allowed=UNDECIDED,
            events=("Adopted",),
            condition="suggestions",
            label="adopt a suggestion",
        ),
        AppealCommand.DECLINE: Transition(
            "decline",
            allowed=UNDECIDED,
            events=("Declined",),
            condition="suggestions",
            label="decline a suggestion (论证说明 required)",
        ),
        AppealCommand.CLOSE: Transition(
            "close",
            allowed={Status.ANSWERED, Status.PUBLISHED, Status.RATED, Status.ADOPTED},
            events=("Closed",),
            label="close (resolved / explained)",
        ),
        AppealCommand.WITHDRAW: Transition(
            "withdraw",
            allowed=NOT_FINAL,
            events=("Withdrawn",),
            condition="by the appellant (or union staff for them)",
        ),
    },
    events={
        "AnsweredOnSpot": Status.ANSWERED,
        "Transferred": Status.TRANSFERRED,
        "Retransferred": Status.TRANSFERRED,
        "Acknowledged": Status.ACKNOWLEDGED,
        "Replied": Status.REPLIED,
        "ReplyPublished": Status.PUBLISHED,
        "Rated": Status.RATED,
        "Adopted": Status.ADOPTED,
        "Declined": Status.CLOSED,
        "Closed": Status.CLOSED,
        "Withdrawn": Status.WITHDRAWN,
    },
    # A dissatisfied rating sends the appeal back to its department with a new reply
    # deadline, or, if none ever had it, back to the union as raised.
    varies={"Reopened": {Status.TRANSFERRED, Status.RAISED}},
)

#: The marker after which the docs hold `appeal_transitions_markdown()`.
DOCS_MARKER = "<!-- appeal-transitions: checked against domain/appeal_states.py -->"


def appeal_transitions_markdown() -> str:
    """The appeal's state table as the docs show it: a row for raising, then one for each
    command, with its route, the states that allow it, where it leads and its events."""
    table = APPEAL_STATES
    rows = [
        "| command | `POST /appeals/{id}/…` | allowed when the appeal is | leads to | event |",
        "|---|---|---|---|---|",
        f"| raise | `POST /appeals` | — | {table.initial.value} | `Raised` |",
    ]
    for command, row in table.commands.items():
        allowed = describe(row.allowed) + (f"; {row.condition}" if row.condition else "")
        leads = describe(table.leads_to(command)) or "(stays as it is)"
        first, *more = row.events
        events = f"`{first}`" + "".join(f" (+ `{name}`)" for name in more)
        cells = [row.label or row.action, f"`{command.value}`", allowed, leads, events]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"

"""The meeting's state machine: each command, the states that allow it, and where it leads.

`Meeting` refuses a command its state does not allow by looking it up in `MEETING_STATES`,
and sets the state each event leads to from it. The last commands are acts on other cases
(an appeal raised at a talk, an action item from a decision, a congress proposal, a penalty
for absence, a disclosure of the minutes) that the meeting's state must allow.
"""

from __future__ import annotations

from enum import StrEnum

from domain.meeting_terms import MeetingStatus
from domain.transitions import StateTable, Transition


class MeetingCommand(StrEnum):
    """What can be done to (or from) a meeting once scheduled."""

    INVITE = "invite"
    HOLD = "hold"
    RECORD_MINUTES = "record_minutes"
    RECORD_DECISIONS = "record_decisions"
    PUBLISH = "publish"
    RAISE_APPEAL = "raise_appeal"
    CREATE_ACTION_ITEM = "create_action_item"
    REGISTER_PROPOSAL = "register_proposal"
    PENALISE_ABSENCES = "penalise_absences"
    DISCLOSE_MINUTES = "disclose_minutes"


BEFORE_HOLDING = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.INVITED})
AFTER_HOLDING = frozenset(MeetingStatus) - BEFORE_HOLDING
#: Minutes recorded, with or without decisions, and not yet published.
MINUTED = frozenset({MeetingStatus.MINUTES_RECORDED, MeetingStatus.DECISIONS_RECORDED})

MEETING_STATES: StateTable[MeetingCommand, MeetingStatus] = StateTable(
    subject="meeting",
    initial=MeetingStatus.SCHEDULED,
    commands={
        MeetingCommand.INVITE: Transition(
            "invite participants to",
            allowed=BEFORE_HOLDING,
            events=("Invited",),
            condition="a talk takes at most ten, and does not repeat people",
        ),
        MeetingCommand.HOLD: Transition("hold", allowed=BEFORE_HOLDING, events=("Held",)),
        MeetingCommand.RECORD_MINUTES: Transition(
            "record the minutes of", allowed={MeetingStatus.HELD}, events=("MinutesRecorded",)
        ),
        MeetingCommand.RECORD_DECISIONS: Transition(
            "record decisions of", allowed=MINUTED, events=("DecisionsRecorded",)
        ),
        MeetingCommand.PUBLISH: Transition(
            "publish",
            allowed=MINUTED,
            events=("Published",),
            condition="a joint meeting or congress has recorded decisions",
        ),
        MeetingCommand.RAISE_APPEAL: Transition(
            "raise an appeal at",
            allowed=frozenset(MeetingStatus) - {MeetingStatus.PUBLISHED},
            events=(),
            condition="talks that name their tier",
        ),
        MeetingCommand.CREATE_ACTION_ITEM: Transition(
            "create action items from",
            allowed={MeetingStatus.DECISIONS_RECORDED, MeetingStatus.PUBLISHED},
            events=(),
        ),
        MeetingCommand.REGISTER_PROPOSAL: Transition(
            "register a proposal at",
            allowed=AFTER_HOLDING,
            events=(),
            condition="a workers' congress",
        ),
        MeetingCommand.PENALISE_ABSENCES: Transition(
            "penalise absences from", allowed=AFTER_HOLDING, events=(), condition="talks"
        ),
        MeetingCommand.DISCLOSE_MINUTES: Transition(
            "disclose the minutes of", allowed={MeetingStatus.PUBLISHED}, events=()
        ),
    },
    events={
        "Invited": MeetingStatus.INVITED,
        "Held": MeetingStatus.HELD,
        "MinutesRecorded": MeetingStatus.MINUTES_RECORDED,
        "DecisionsRecorded": MeetingStatus.DECISIONS_RECORDED,
        "Published": MeetingStatus.PUBLISHED,
    },
)

"""The deadline board: what is due on which case, so the watcher need not load every case.

One row per (case, act): the due time, whether the act is still owed, and which due time was
already recorded as missed. The board only nominates candidates; the case's aggregate decides
whether a deadline was really missed, so a board a moment behind the events is harmless.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, singledispatchmethod
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Tracking

from domain.accountability_rules import RuleCode
from domain.action_item import ActionItem
from domain.appeal import FIRST_RESPONSES, Appeal
from domain.card import Card
from domain.deadlines import DeadlineAct
from domain.meeting import Meeting
from domain.meeting_terms import MeetingKind
from domain.penalty import Penalty
from domain.proposal import Proposal
from projections.view import View, ViewProjection

ACCEPT = "accept"  # an action item's acceptance (验收) by its deadline
ABSENCE = "absence:"  # + department: a held talk's absent department, not yet penalised
CARD = "card"
MEETING = "meeting"
PROPOSAL = "proposal"
HOLD = DeadlineAct.HOLD.value
PUBLISH = DeadlineAct.PUBLISH.value
RECTIFY = "rectify"  # a card's rectification (限期整改) by its deadline


@dataclass(frozen=True)
class DueCase:
    """A case with an act owed by a time that has passed."""

    case_id: UUID
    case_type: str
    act: str
    due_at: datetime


# A named tuple: immutable, and made for every event of a rebuild in a quarter of the
# time of a frozen dataclass, which sets each field through `object.__setattr__`.
class BoardChange(NamedTuple):
    """What one event changes on the board for one case."""

    case_id: UUID
    case_type: str
    owe: tuple[tuple[str, datetime], ...] = ()
    settle: tuple[str, ...] = ()
    settle_all: bool = False
    missed: tuple[str, datetime] | None = None


class DeadlineBoardView(View):
    """Where the board is kept and queried."""

    @abstractmethod
    def change(self, change: BoardChange, tracking: Tracking) -> None:
        """Applies one event's change: settle acts, then owe acts (replacing due times),
        then note a recorded miss."""

    @abstractmethod
    def due_before(self, moment: datetime, limit: int) -> list[DueCase]:
        """Acts still owed whose due time is before `moment`, not yet recorded as missed."""


def _due(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(record["due"])


class DeadlineBoard(ViewProjection):
    """Keeps the deadline board from appeal and action item events."""

    name = "deadline_board"

    @cached_property
    def board(self) -> DeadlineBoardView:
        """The view, typed (checked once: it is used for every event)."""
        return self.view_as(DeadlineBoardView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events that change no deadline."""
        self.ignore(tracking)

    @process_event.register
    def _(self, event: Appeal.Raised, tracking: Tracking) -> None:
        # The first-response clock starts at raising, whoever holds the appeal.
        if event.response_deadline:
            owe = ((FIRST_RESPONSE, _due(event.response_deadline)),)
            self._appeal(event, tracking, owe=owe)
        else:
            self.ignore(tracking)

    @process_event.register
    def _(self, event: Appeal.Transferred, tracking: Tracking) -> None:
        # A transfer (or re-transfer) sets the reply deadline; the first-response one runs
        # on (transfers of releases before recorded it again: the same due time).
        owe = [(event.reply_deadline["act"], _due(event.reply_deadline))]
        if event.response_deadline:
            owe.append((event.response_deadline["act"], _due(event.response_deadline)))
        self._appeal(event, tracking, owe=tuple(owe))

    @process_event.register
    def _(self, event: Appeal.DeadlineExtended, tracking: Tracking) -> None:
        due = (event.reply_deadline["act"], _due(event.reply_deadline))
        self._appeal(event, tracking, owe=(due,))

    @process_event.register
    def _(self, event: Appeal.Reopened, tracking: Tracking) -> None:
        if event.reply_deadline:
            due = (event.reply_deadline["act"], _due(event.reply_deadline))
            self._appeal(event, tracking, owe=(due,), settle=(FIRST_RESPONSE,))
        else:
            self._appeal(event, tracking, settle_all=True)

    @process_event.register
    def _(self, event: Appeal.DeadlineMissed, tracking: Tracking) -> None:
        self._appeal(event, tracking, missed=(event.deadline["act"], _due(event.deadline)))

    @process_event.register
    def _(self, event: Appeal.Event, tracking: Tracking) -> None:
        # Replied, answered, closed, withdrawn, adopted, declined: nothing owed any more;
        # a department taking it on or the union reaching the appellant: the first response.
        if isinstance(event, SETTLING_APPEAL_EVENTS):
            self._appeal(event, tracking, settle_all=True)
        elif isinstance(event, FIRST_RESPONSES):
            self._appeal(event, tracking, settle=(FIRST_RESPONSE,))
        else:
            self.ignore(tracking)

    @process_event.register
    def _(self, event: ActionItem.Created, tracking: Tracking) -> None:
        change = BoardChange(event.originator_id, "action_item", owe=((ACCEPT, event.deadline),))
        self.board.change(change, tracking)

    @process_event.register
    def _(self, event: ActionItem.Event, tracking: Tracking) -> None:
        if isinstance(event, ActionItem.Accepted):
            self.board.change(
                BoardChange(event.originator_id, "action_item", settle_all=True), tracking
            )
        elif isinstance(event, ActionItem.MarkedOverdue):
            change = BoardChange(
                event.originator_id, "action_item", missed=(ACCEPT, event.deadline)
            )
            self.board.change(change, tracking)
        else:
            self.ignore(tracking)

    @process_event.register
    def _(self, event: Meeting.Scheduled, tracking: Tracking) -> None:
        if event.holding_deadline:
            owe = ((HOLD, _due(event.holding_deadline)),)
            self.board.change(BoardChange(event.originator_id, MEETING, owe=owe), tracking)
        else:
            self.ignore(tracking)

    @process_event.register
    def _(self, event: Meeting.Event, tracking: Tracking) -> None:
        if isinstance(event, Meeting.Published):
            change = BoardChange(event.originator_id, MEETING, settle=(PUBLISH,))
        elif isinstance(event, Meeting.DeadlineMissed):
            change = BoardChange(
                event.originator_id,
                MEETING,
                missed=(event.deadline["act"], _due(event.deadline)),
            )
        else:
            self.ignore(tracking)
            return
        self.board.change(change, tracking)

    @process_event.register
    def _(self, event: Proposal.Registered, tracking: Tracking) -> None:
        owe = ((PUBLISH, _due(event.assignment_deadline)),)
        self.board.change(BoardChange(event.originator_id, PROPOSAL, owe=owe), tracking)

    @process_event.register
    def _(self, event: Proposal.Event, tracking: Tracking) -> None:
        if isinstance(event, Proposal.AssignmentPublished):
            change = BoardChange(event.originator_id, PROPOSAL, settle_all=True)
        elif isinstance(event, Proposal.AssignmentMissed):
            change = BoardChange(
                event.originator_id, PROPOSAL, missed=(PUBLISH, _due(event.deadline))
            )
        else:
            self.ignore(tracking)
            return
        self.board.change(change, tracking)

    @process_event.register
    def _(self, event: Meeting.Held, tracking: Tracking) -> None:
        # Held: the holding deadline is met; a publication deadline may start (joint meeting,
        # congress). At a talk, each department asked that sent no one costs a point (-1).
        owe = [(ABSENCE + d, event.timestamp) for d in event.absent_departments]
        if not MeetingKind(event.kind).is_talk:
            owe = []
        if event.publication_deadline:
            owe.append((PUBLISH, _due(event.publication_deadline)))
        self.board.change(
            BoardChange(event.originator_id, MEETING, owe=tuple(owe), settle=(HOLD,)), tracking
        )

    @process_event.register
    def _(self, event: Penalty.Recorded, tracking: Tracking) -> None:
        if event.rule_code == RuleCode.ABSENT_FROM_TALK.value:
            meeting_id = UUID(event.case["id"])
            change = BoardChange(meeting_id, "meeting", settle=(ABSENCE + event.department,))
            self.board.change(change, tracking)
        else:
            self.ignore(tracking)

    @process_event.register
    def _(self, event: Card.Issued, tracking: Tracking) -> None:
        owe = ((RECTIFY, event.rectification_deadline),)
        self.board.change(BoardChange(event.originator_id, CARD, owe=owe), tracking)

    @process_event.register
    def _(self, event: Card.Event, tracking: Tracking) -> None:
        if isinstance(event, Card.Rectified | Card.Escalated):
            self.board.change(BoardChange(event.originator_id, CARD, settle_all=True), tracking)
        else:
            self.ignore(tracking)

    def _appeal(
        self, event: Appeal.Event | Appeal.Raised, tracking: Tracking, **change: Any
    ) -> None:
        self.board.change(BoardChange(event.originator_id, "appeal", **change), tracking)


FIRST_RESPONSE = DeadlineAct.FIRST_RESPONSE.value

SETTLING_APPEAL_EVENTS = (
    Appeal.Replied,
    Appeal.AnsweredOnSpot,
    Appeal.Closed,
    Appeal.Withdrawn,
    Appeal.Adopted,
    Appeal.Declined,
)

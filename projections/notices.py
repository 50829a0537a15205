"""The notice decider: which events are told to the outside (overdue, published, cards).

A projection like the views, but not one of them (`infrastructure.view_registry.VIEWS`): its
"rows" are notices in the outbox, each sent to receivers once, so it is never rebuilt — a
rebuild would send everything again — and on its first start it begins at the head of the
event log rather than at its start (a store with a long history does not tell its past).
Each event's notices, their deliveries and the tracking row commit together: exactly once.

Notices hold references only (case ids, departments, deadlines), never personal data.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from functools import cached_property, singledispatchmethod
from typing import Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

from domain.action_item import ActionItem
from domain.appeal import Appeal
from domain.card import Card
from domain.deadlines import DeadlineAct
from domain.disclosure import Disclosure
from domain.meeting import Meeting
from domain.notices import Notice, NoticeKind
from domain.proposal import Proposal
from projections.view import View, ViewProjection


class NoticeOutboxView(View):
    """Where decided notices go (with their deliveries, in the event's transaction)."""

    @abstractmethod
    def decide(self, notices: Sequence[Notice], tracking: Tracking) -> None:
        """Records the notices (each once, by key) and their deliveries with the tracking row."""


def event_key(tracking: Tracking, kind: NoticeKind) -> str:
    """The key of the notice of `kind` decided from the event at `tracking`'s position."""
    return f"event:{tracking.notification_id}:{kind.value}"


class Notices(ViewProjection):
    """Decides notices from events: misses, publications, cards."""

    name = "notices"

    #: Who owes an untransferred appeal's first response (set by `notices_spec`).
    union_office: str | None = None

    @cached_property
    def outbox(self) -> NoticeOutboxView:
        """The view, typed."""
        return self.view_as(NoticeOutboxView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events nobody outside is told of."""
        self.ignore(tracking)

    @process_event.register
    def _(self, event: Appeal.DeadlineMissed, tracking: Tracking) -> None:
        first = event.deadline.get("act") == DeadlineAct.FIRST_RESPONSE.value
        self._tell(
            event,
            tracking,
            NoticeKind.OVERDUE,
            "appeal",
            _deadline(event.deadline),
            fallback_department=self.union_office if first else None,
        )

    @process_event.register
    def _(self, event: ActionItem.MarkedOverdue, tracking: Tracking) -> None:
        deadline = {"act": "accept", "due_at": event.deadline.isoformat()}
        self._tell(event, tracking, NoticeKind.OVERDUE, "action_item", deadline)

    @process_event.register
    def _(self, event: Meeting.DeadlineMissed, tracking: Tracking) -> None:
        self._tell(event, tracking, NoticeKind.OVERDUE, "meeting", _deadline(event.deadline))

    @process_event.register
    def _(self, event: Proposal.AssignmentMissed, tracking: Tracking) -> None:
        self._tell(event, tracking, NoticeKind.OVERDUE, "proposal", _deadline(event.deadline))

    @process_event.register
    def _(self, event: Appeal.ReplyPublished, tracking: Tracking) -> None:
        self._tell(event, tracking, NoticeKind.PUBLISHED, "appeal", {}, to_appellant=True)

    @process_event.register
    def _(self, event: Meeting.Published, tracking: Tracking) -> None:
        self._tell(event, tracking, NoticeKind.MEETING_PUBLISHED, "meeting", {})

    @process_event.register
    def _(self, event: Disclosure.Published, tracking: Tracking) -> None:
        self._tell(event, tracking, NoticeKind.DISCLOSURE, "disclosure", {})

    @process_event.register
    def _(self, event: Card.Issued, tracking: Tracking) -> None:
        payload = {
            "colour": event.colour,
            "rule": event.measure,
            "due_at": event.rectification_deadline.isoformat(),
        }
        self._tell(event, tracking, NoticeKind.CARD, "card", payload, department=event.department)

    def _tell(
        self,
        event: DomainEvent,
        tracking: Tracking,
        kind: NoticeKind,
        case_type: str,
        payload: dict[str, Any],
        **notice: Any,
    ) -> None:
        decided = Notice(
            key=event_key(tracking, kind),
            kind=kind,
            occurred_at=event.timestamp,
            case_id=event.originator_id,
            case_type=case_type,
            position=tracking.notification_id,
            payload={"kind": kind.value, **payload},
            **notice,
        )
        self.outbox.decide([decided], tracking)


def _deadline(record: dict[str, Any]) -> dict[str, Any]:
    """A deadline as a notice tells it: the act, when it was due, the rule that set it."""
    return {"act": record.get("act"), "due_at": record.get("due"), "rule": record.get("rule")}

"""An action item: one entry of a meeting's collaboration item list (协作事项清单)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.action_item_states import ACTION_ITEM_STATES, ActionItemCommand
from domain.actors import Actor
from domain.values import check_ahead, check_aware, clean_text


@dataclass(frozen=True)
class Note:
    """Something said about the item's work: progress, a submission, a verdict."""

    text: str
    at: datetime
    by: str


class ActionItem(Aggregate):
    """A task a meeting decided on: department, deadline and acceptance criteria (验收标准)."""

    class Event(Aggregate.Event):
        """Every action item event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the item; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.action_item_states`)."""
            item = cast(ActionItem, aggregate)
            status = ACTION_ITEM_STATES.status_after(self)
            if status is not None:
                item.status = status
            self.apply_to(item)

        def apply_to(self, item: ActionItem) -> None:
            """Changes the item's state as this event says."""

    class Created(Aggregate.Created):
        """The item was created from a recorded decision of a meeting."""

        actor_id: str
        actor_role: str
        meeting_id: UUID
        decision_ref: str
        task: str
        department: str
        deadline: datetime
        acceptance_criteria: str

        def apply(self, aggregate: Any) -> None:
            """Sets up the new item."""
            cast(ActionItem, aggregate).start(self)

    class ProgressReported(Event):
        """The department reported progress."""

        note: str

        def apply_to(self, item: ActionItem) -> None:
            item.progress.append(Note(self.note, self.timestamp, self.actor_id))

    class SubmittedForAcceptance(Event):
        """The department says the work is done and asks for acceptance."""

        note: str

        def apply_to(self, item: ActionItem) -> None:
            item.submissions.append(Note(self.note, self.timestamp, self.actor_id))

    class Accepted(Event):
        """The work was accepted as meeting the acceptance criteria."""

        note: str

        def apply_to(self, item: ActionItem) -> None:
            item.acceptance = Note(self.note, self.timestamp, self.actor_id)
            item.accepted_at = self.timestamp

    class Rejected(Event):
        """The work did not meet the criteria and went back to the department."""

        reason: str

        def apply_to(self, item: ActionItem) -> None:
            item.rejections.append(Note(self.reason, self.timestamp, self.actor_id))

    class MarkedOverdue(Event):
        """The deadline passed before the work was accepted."""

        deadline: datetime

        def apply_to(self, item: ActionItem) -> None:
            item.overdue_at = self.timestamp

    # -- state -------------------------------------------------------------------------

    def start(self, created: ActionItem.Created) -> None:
        """Initial state, from the Created event."""
        self.meeting_id = created.meeting_id
        self.decision_ref = created.decision_ref
        self.task = created.task
        self.department = created.department
        self.deadline = created.deadline
        self.acceptance_criteria = created.acceptance_criteria
        self.created_by = created.actor_id
        self.status = ACTION_ITEM_STATES.initial
        self.progress: list[Note] = []
        self.submissions: list[Note] = []
        self.rejections: list[Note] = []
        self.acceptance: Note | None = None
        self.accepted_at: datetime | None = None
        self.overdue_at: datetime | None = None

    @property
    def parties(self) -> Parties:
        """Who the item concerns, for access: its responsible department."""
        return Parties(
            departments=frozenset({self.department}), holding=frozenset({self.department})
        )

    @property
    def overdue(self) -> bool:
        """Whether the item was marked overdue (it stays so marked once accepted late)."""
        return self.overdue_at is not None

    @property
    def accepted_late(self) -> bool:
        """Whether the work was accepted after the deadline."""
        return self.accepted_at is not None and self.accepted_at > self.deadline

    def overdue_at_moment(self, moment: datetime) -> bool:
        """Whether at `moment` the deadline has passed with the work not accepted."""
        return self.accepted_at is None and moment > self.deadline

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        meeting_id: UUID,
        decision_ref: str,
        task: str,
        department: str,
        deadline: datetime,
        acceptance_criteria: str,
        actor: Actor,
        at: datetime,
    ) -> ActionItem:
        """Creates an item from a decision; department, deadline and criteria are all required."""
        check_aware("time", at)
        return cls._create(
            cls.Created,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            meeting_id=meeting_id,
            decision_ref=clean_text("decision_ref", decision_ref, limits.PERSON_ID),
            task=clean_text("task", task, limits.TASK),
            department=clean_text("department", department, limits.DEPARTMENT),
            deadline=check_ahead("deadline", deadline, at),
            acceptance_criteria=clean_text(
                "acceptance_criteria", acceptance_criteria, limits.CRITERIA
            ),
        )

    def report_progress(self, *, note: str, actor: Actor, at: datetime) -> None:
        """Records progress on the work."""
        self._require(ActionItemCommand.REPORT_PROGRESS)
        self._trigger(
            self.ProgressReported,
            actor,
            at,
            note=clean_text("note", note, limits.PROGRESS),
        )

    def submit_for_acceptance(self, *, note: str, actor: Actor, at: datetime) -> None:
        """The department submits the work for acceptance against the criteria."""
        self._require(ActionItemCommand.SUBMIT)
        self._trigger(
            self.SubmittedForAcceptance,
            actor,
            at,
            note=clean_text("note", note, limits.PROGRESS),
        )

    def accept(self, *, note: str, actor: Actor, at: datetime) -> None:
        """Accepts the work as meeting the acceptance criteria."""
        self._require(ActionItemCommand.ACCEPT)
        self._trigger(
            self.Accepted,
            actor,
            at,
            note=clean_text("note", note, limits.COMMENT, required=False),
        )

    def reject(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """Rejects the work against the criteria, with the reason; it goes back in progress."""
        self._require(ActionItemCommand.REJECT)
        self._trigger(
            self.Rejected,
            actor,
            at,
            reason=clean_text("reason", reason, limits.REASON),
        )

    def mark_overdue(self, *, actor: Actor, at: datetime) -> None:
        """Marks the item overdue: only once its deadline has passed with the work unaccepted."""
        self._require(ActionItemCommand.MARK_OVERDUE)
        check_aware("time", at)
        if at <= self.deadline:
            raise ACTION_ITEM_STATES.refuse(
                ActionItemCommand.MARK_OVERDUE,
                self.status,
                f"its deadline {self.deadline.isoformat()} has not passed",
            )
        if self.overdue_at is not None:
            raise ACTION_ITEM_STATES.refuse(
                ActionItemCommand.MARK_OVERDUE,
                self.status,
                f"it was marked overdue at {self.overdue_at.isoformat()}",
            )
        self._trigger(self.MarkedOverdue, actor, at, deadline=self.deadline)

    # -- guards ------------------------------------------------------------------------

    def _require(self, command: ActionItemCommand) -> None:
        """Refuses `command` unless the item's state table allows it now."""
        ACTION_ITEM_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[ActionItem.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )

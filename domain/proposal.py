"""A workers' congress proposal (职代会提案): assigned, published, done, reported back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import Actor
from domain.deadlines import Deadline
from domain.errors import ActionNotAllowed, InvalidInput
from domain.personal_data import identity
from domain.proposal_states import PROPOSAL_STATES, ProposalCommand
from domain.publication import Withheld, check_public
from domain.values import check_ahead, check_aware, clean_ids, clean_text, clean_url


class Proposal(Aggregate):
    """A proposal: problem, proposed solution, responsible department and deadline."""

    class Event(Aggregate.Event):
        """Every proposal event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the proposal; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.proposal_states`)."""
            proposal = cast(Proposal, aggregate)
            status = PROPOSAL_STATES.status_after(self)
            if status is not None:
                proposal.status = status
            self.apply_to(proposal)

        def apply_to(self, proposal: Proposal) -> None:
            """Changes the proposal's state as this event says."""

    class Registered(Aggregate.Created):
        """The proposal was registered at a congress and handed to a department."""

        personal = (identity("proposer"),)

        actor_id: str
        actor_role: str
        meeting_id: UUID
        proposer: str
        problem: str
        solution: str
        department: str
        deadline: datetime
        assignment_deadline: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            """Sets up the new proposal."""
            cast(Proposal, aggregate).start(self)

    class AssignmentPublished(Event):
        """The assignment result (交办结果) was published."""

        result: str

        def apply_to(self, proposal: Proposal) -> None:
            proposal.assignment_result = self.result
            proposal.assignment_published_at = self.timestamp

    class AssignmentMissed(Event):
        """The assignment result was not published by its deadline (7 working days)."""

        deadline: dict[str, Any]

        def apply_to(self, proposal: Proposal) -> None:
            proposal.assignment_missed = True

    class CompletionReported(Event):
        """The department's completion was reported back to the congress, with evidence."""

        text: str
        evidence_links: list[str]

        def apply_to(self, proposal: Proposal) -> None:
            proposal.completion_text = self.text
            proposal.evidence_links = list(self.evidence_links)
            proposal.completed_at = self.timestamp

    # -- state -------------------------------------------------------------------------

    def start(self, registered: Proposal.Registered) -> None:
        """Initial state, from the Registered event."""
        self.meeting_id = registered.meeting_id
        self.proposer = registered.proposer
        self.problem = registered.problem
        self.solution = registered.solution
        self.department = registered.department
        self.deadline = registered.deadline
        self.assignment_deadline = Deadline.from_record(registered.assignment_deadline)
        self.status = PROPOSAL_STATES.initial
        self.assignment_result: str | None = None
        self.assignment_published_at: datetime | None = None
        self.assignment_missed = False
        self.completion_text: str | None = None
        self.evidence_links: list[str] = []
        self.completed_at: datetime | None = None

    @property
    def parties(self) -> Parties:
        """Who the proposal concerns, for access: its proposer and its department."""
        return Parties(
            people=frozenset({self.proposer} if self.proposer else ()),
            departments=frozenset({self.department}),
            holding=frozenset({self.department}),
        )

    @property
    def assignment_late(self) -> bool:
        """Whether the assignment result was published after its due date."""
        published = self.assignment_published_at
        return published is not None and published > self.assignment_deadline.due

    @property
    def completed_late(self) -> bool:
        """Whether completion was reported after the proposal's deadline."""
        return self.completed_at is not None and self.completed_at > self.deadline

    def assignment_overdue(self, moment: datetime) -> bool:
        """Whether at `moment` the assignment result is due and not published."""
        return self.assignment_published_at is None and moment > self.assignment_deadline.due

    def record_missed_assignment(self, *, actor: Actor, at: datetime) -> None:
        """Records, once, that the assignment result was not published in time."""
        if self.assignment_missed or not self.assignment_overdue(at):
            raise ActionNotAllowed(
                "record a missed assignment deadline on",
                self.status.value,
                "the assignment result is published, not yet due, or already recorded as late",
                subject="proposal",
            )
        self._trigger(
            self.AssignmentMissed, actor, at, deadline=self.assignment_deadline.to_record()
        )

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        meeting_id: UUID,
        proposer: str,
        problem: str,
        solution: str,
        department: str,
        deadline: datetime,
        assignment_deadline: Deadline,
        actor: Actor,
        at: datetime,
    ) -> Proposal:
        """Registers a proposal of a held congress; its assignment is due with the congress's."""
        check_aware("time", at)
        return cls._create(
            cls.Registered,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            meeting_id=meeting_id,
            proposer=clean_text("proposer", proposer, limits.ACTOR_ID, required=False),
            problem=clean_text("problem", problem, limits.TEXT),
            solution=clean_text("solution", solution, limits.TEXT),
            department=clean_text("department", department, limits.DEPARTMENT),
            deadline=check_ahead("deadline", deadline, at),
            assignment_deadline=assignment_deadline.to_record(),
        )

    @property
    def withheld(self) -> Withheld:
        """Whom its published texts must not name: the proposer (by person id)."""
        return Withheld.people("the proposer", [self.proposer])

    def publish_assignment(self, *, result: str, actor: Actor, at: datetime) -> None:
        """Publishes the assignment result: who does what by when; no personal data."""
        self._require(ProposalCommand.PUBLISH_ASSIGNMENT)
        text = clean_text("result", result, limits.ANSWER)
        self._trigger(
            self.AssignmentPublished,
            actor,
            at,
            result=check_public("result", text, self.withheld),
        )

    def report_completion(
        self, *, text: str, evidence_links: Sequence[str], actor: Actor, at: datetime
    ) -> None:
        """Reports completion back to the congress, with links to the evidence; published
        with the proposal, so it carries no personal data."""
        self._require(ProposalCommand.REPORT_COMPLETION)
        if not evidence_links:
            raise InvalidInput("evidence_links", "give at least one link to the evidence")
        links = clean_ids("evidence_links", evidence_links, limits.URL)
        report = clean_text("text", text, limits.ANSWER)
        self._trigger(
            self.CompletionReported,
            actor,
            at,
            text=check_public("text", report, self.withheld),
            evidence_links=[clean_url("evidence_links", link) for link in links],
        )

    # -- guards ------------------------------------------------------------------------

    def _require(self, command: ProposalCommand) -> None:
        """Refuses `command` unless the proposal's state table allows it now."""
        PROPOSAL_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[Proposal.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )

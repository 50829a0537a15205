"""A penalty (考核扣分): points taken from a department's head under a rule of the book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.accountability_rules import CaseRef, CaseType, Rule, RuleCode
from domain.actors import Actor
from domain.errors import InvalidInput, NotPermitted
from domain.meeting import Meeting
from domain.meeting_states import MEETING_STATES, MeetingCommand
from domain.penalty_states import PENALTY_STATES, PenaltyCommand

# Re-exported from the states' old home, where callers import them.
from domain.penalty_states import PenaltyStatus as PenaltyStatus
from domain.values import check_aware, clean_text


@dataclass(frozen=True)
class Statement:
    """A reason someone gave, when, in which role."""

    reason: str
    at: datetime
    by: str
    role: str


class Penalty(Aggregate):
    """A penalty and what became of it; the original record always stays in its history."""

    class Event(Aggregate.Event):
        """Every penalty event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the penalty; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.penalty_states`)."""
            penalty = cast(Penalty, aggregate)
            status = PENALTY_STATES.status_after(self)
            if status is not None:
                penalty.status = status
            self.apply_to(penalty)

        def apply_to(self, penalty: Penalty) -> None:
            """Changes the penalty's state as this event says."""

    class Recorded(Aggregate.Created):
        """Points were taken from a department under a rule, for a case."""

        actor_id: str
        actor_role: str
        rule_code: str
        rule_version: int
        points: int
        department: str
        head_id: str | None
        case: dict[str, str]
        reason: str

        def apply(self, aggregate: Any) -> None:
            """Sets up the new penalty."""
            cast(Penalty, aggregate).start(self)

    class Contested(Event):
        """The department disputes the penalty."""

        reason: str

        def apply_to(self, penalty: Penalty) -> None:
            penalty.contest = Statement(self.reason, self.timestamp, self.actor_id, self.actor_role)

    class ContestRejected(Event):
        """The committee heard the dispute and kept the penalty."""

        reason: str

        def apply_to(self, penalty: Penalty) -> None:
            penalty.contest_rejection = Statement(
                self.reason, self.timestamp, self.actor_id, self.actor_role
            )

    class Reversed(Event):
        """The committee reversed the penalty; it no longer counts."""

        reason: str

        def apply_to(self, penalty: Penalty) -> None:
            penalty.reversal = Statement(
                self.reason, self.timestamp, self.actor_id, self.actor_role
            )

    # -- state -------------------------------------------------------------------------

    def start(self, recorded: Penalty.Recorded) -> None:
        """Initial state, from the Recorded event."""
        self.rule_code = RuleCode(recorded.rule_code)
        self.rule_version = recorded.rule_version
        self.points = recorded.points
        self.department = recorded.department
        self.head_id = recorded.head_id
        self.case = CaseRef.from_record(recorded.case)
        self.reason = recorded.reason
        self.recorded_by = recorded.actor_id
        self.recorded_role = recorded.actor_role
        self.recorded_at = recorded.timestamp
        self.status = PENALTY_STATES.initial
        self.contest: Statement | None = None
        self.contest_rejection: Statement | None = None
        self.reversal: Statement | None = None

    @property
    def parties(self) -> Parties:
        """Who the penalty concerns, for access: the penalised department."""
        return Parties(
            departments=frozenset({self.department}), holding=frozenset({self.department})
        )

    @property
    def counts(self) -> bool:
        """Whether the penalty still counts against the department (not reversed)."""
        return self.status is not PenaltyStatus.REVERSED

    @property
    def effective_points(self) -> int:
        """The points it takes now: its points, or none once reversed."""
        return self.points if self.counts else 0

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def record(
        cls,
        *,
        id: UUID,
        rule: Rule,
        department: str,
        case: CaseRef,
        actor: Actor,
        at: datetime,
        reason: str = "",
        head_id: str | None = None,
        supervisor: str | None = None,
    ) -> Penalty:
        """Records a penalty under `rule`.

        Perfunctory handling (搪塞应付) is a judgement: only the appeal's supervisor
        (`supervisor`, the one named on its current transfer) records it, and says why.
        """
        check_aware("time", at)
        if rule.points >= 0:
            raise InvalidInput("rule", f"{rule.code.value} takes no points")
        required_reason = not rule.automatic
        if rule.code is RuleCode.PERFUNCTORY_HANDLING:
            if case.type is not CaseType.APPEAL:
                raise InvalidInput("case", "perfunctory handling is judged on an appeal")
            if supervisor is None:
                raise InvalidInput(
                    "case", f"{case.ref} has no supervisor: it was never transferred"
                )
            if actor.id != supervisor:
                raise NotPermitted(
                    f"only the supervisor of {case.ref} ({supervisor}) may record "
                    "perfunctory handling"
                )
        return cls._create(
            cls.Recorded,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            rule_code=rule.code.value,
            rule_version=rule.version,
            points=rule.points,
            department=clean_text("department", department, limits.DEPARTMENT),
            head_id=clean_text("head_id", head_id, limits.ACTOR_ID, required=False) or None,
            case=case.to_record(),
            reason=clean_text("reason", reason, limits.REASON, required=required_reason),
        )

    def contest_by_department(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """The department disputes the penalty, saying why; the committee then decides."""
        self._require(PenaltyCommand.CONTEST)
        if self.head_id is not None and actor.id != self.head_id:
            raise NotPermitted(f"only the penalised head ({self.head_id}) may contest it")
        self._trigger(self.Contested, actor, at, reason=clean_text("reason", reason, limits.REASON))

    def reject_contest(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """The committee keeps the contested penalty, saying why."""
        self._require(PenaltyCommand.REJECT_CONTEST)
        self._trigger(
            self.ContestRejected, actor, at, reason=clean_text("reason", reason, limits.REASON)
        )

    def reverse(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """The committee reverses the penalty, saying why; the original stays in history."""
        self._require(PenaltyCommand.REVERSE)
        self._trigger(self.Reversed, actor, at, reason=clean_text("reason", reason, limits.REASON))

    # -- guards ------------------------------------------------------------------------

    def _require(self, command: PenaltyCommand) -> None:
        """Refuses `command` unless the penalty's state table allows it now."""
        PENALTY_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[Penalty.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )


def absent_departments_to_penalise(meeting: Meeting) -> list[str]:
    """The departments a held talk recorded as having sent nobody; each costs one point."""
    if not meeting.kind.is_talk:
        raise InvalidInput(
            "meeting_id", f"absence penalties apply to talks, not to a {meeting.kind.value}"
        )
    MEETING_STATES.require(MeetingCommand.PENALISE_ABSENCES, meeting.status, "it has not been held")
    return list(meeting.absent_departments)

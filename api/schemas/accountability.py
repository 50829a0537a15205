"""Request and response bodies for penalties (考核问责) and red and yellow cards (红黄牌预警)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.bodies import Body, text_field
from api.schemas.meetings import ItemCommandRead
from application.accountability import BuckCheck, CardEvaluation
from domain import limits
from domain.accountability_rules import CaseType, RuleCode
from domain.card import Card, CardColour, CardMeasure, CardStatus, EscalatedTo, Finding
from domain.penalty import Penalty, PenaltyStatus, Statement


class PenaltyCreate(Body):
    """A perfunctory-handling penalty (搪塞应付、推诿扯皮), recorded by the appeal's supervisor."""

    appeal_id: UUID
    reason: str = text_field(limits.REASON, "答复仅称“按规定办理”，未说明依据，三次推给其他部门")
    head_id: str | None = Field(
        default=None,
        max_length=limits.ACTOR_ID,
        examples=["logistics-head"],
        description="the department head's id, when known",
    )


class ReasonIn(Body):
    """Why: a contest, a reversal, or a contest's rejection."""

    reason: str = text_field(limits.REASON, "申诉人书面同意延期，材料已附")


class RectifyIn(Body):
    """What the department did to rectify (整改)."""

    note: str = text_field(limits.COMMENT, "积压的5件诉求已全部答复并公示")


class CardEvaluateIn(Body):
    """The department's penalties over a period; the period defaults to the current one."""

    penalty_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    period_start: date | None = Field(default=None, examples=["2026-03-02"])
    period_end: date | None = Field(default=None, examples=["2026-03-31"])


class PenalisedCaseRead(BaseModel):
    """The case that caused a penalty."""

    type: CaseType
    id: UUID
    ref: str


class StatementRead(BaseModel):
    """A reason given, when, by whom, in which role."""

    reason: str
    at: datetime
    by: str
    role: str

    @classmethod
    def of(cls, statement: Statement | None) -> StatementRead | None:
        """The read model of a statement, if any."""
        if statement is None:
            return None
        return cls(reason=statement.reason, at=statement.at, by=statement.by, role=statement.role)


class PenaltyRead(BaseModel):
    """A penalty as it stands (or stood); a reversed one keeps its points but no longer counts."""

    id: UUID
    version: int
    rule: RuleCode
    rule_version: int
    points: int = Field(examples=[-2])
    effective_points: int = Field(examples=[-2], description="0 once reversed")
    counts: bool
    department: str
    head_id: str | None
    case: PenalisedCaseRead
    reason: str
    recorded_by: str
    recorded_role: str
    recorded_at: datetime
    status: PenaltyStatus
    contest: StatementRead | None
    contest_rejection: StatementRead | None
    reversal: StatementRead | None
    modified_at: datetime

    @classmethod
    def of(cls, penalty: Penalty) -> PenaltyRead:
        """The read model of a penalty."""
        return cls(
            id=penalty.id,
            version=penalty.version,
            rule=penalty.rule_code,
            rule_version=penalty.rule_version,
            points=penalty.points,
            effective_points=penalty.effective_points,
            counts=penalty.counts,
            department=penalty.department,
            head_id=penalty.head_id,
            case=PenalisedCaseRead(
                type=penalty.case.type, id=penalty.case.id, ref=penalty.case.ref
            ),
            reason=penalty.reason,
            recorded_by=penalty.recorded_by,
            recorded_role=penalty.recorded_role,
            recorded_at=penalty.recorded_at,
            status=penalty.status,
            contest=StatementRead.of(penalty.contest),
            contest_rejection=StatementRead.of(penalty.contest_rejection),
            reversal=StatementRead.of(penalty.reversal),
            modified_at=penalty.modified_on,
        )


class CardRead(BaseModel):
    """A red or yellow card as it stands (or stood)."""

    id: UUID
    version: int
    colour: CardColour
    department: str
    measure: CardMeasure
    value: int
    threshold: int
    period_start: date
    period_end: date
    evidence: list[UUID]
    rectification_deadline: datetime
    escalated_from: UUID | None
    issued_by: str
    issued_at: datetime
    status: CardStatus
    rectification_note: str | None
    rectified_at: datetime | None
    escalated_to: EscalatedTo | None
    red_card_id: UUID | None
    escalated_at: datetime | None
    modified_at: datetime

    @classmethod
    def of(cls, card: Card) -> CardRead:
        """The read model of a card."""
        return cls(
            id=card.id,
            version=card.version,
            colour=card.colour,
            department=card.department,
            measure=card.measure,
            value=card.value,
            threshold=card.threshold,
            period_start=card.period.start,
            period_end=card.period.end,
            evidence=list(card.evidence),
            rectification_deadline=card.rectification_deadline,
            escalated_from=card.escalated_from,
            issued_by=card.issued_by,
            issued_at=card.issued_at,
            status=card.status,
            rectification_note=card.rectification_note,
            rectified_at=card.rectified_at,
            escalated_to=card.escalated_to,
            red_card_id=card.red_card_id,
            escalated_at=card.escalated_at,
            modified_at=card.modified_on,
        )


class FindingRead(BaseModel):
    """The threshold a department crossed."""

    colour: CardColour
    measure: CardMeasure
    value: int
    threshold: int
    evidence: list[UUID]

    @classmethod
    def of(cls, finding: Finding | None) -> FindingRead | None:
        """The read model of a finding, if any."""
        if finding is None:
            return None
        return cls(
            colour=finding.colour,
            measure=finding.measure,
            value=finding.value,
            threshold=finding.threshold,
            evidence=list(finding.evidence),
        )


class CardEvaluationRead(BaseModel):
    """What the department's penalties came to, and the card issued now (null: none new)."""

    department: str
    period_start: date
    period_end: date
    penalty_points: int
    overdue_count: int
    finding: FindingRead | None
    issued: ItemCommandRead | None

    @classmethod
    def of(cls, evaluation: CardEvaluation) -> CardEvaluationRead:
        """The read model of an evaluation."""
        return cls(
            department=evaluation.department,
            period_start=evaluation.period.start,
            period_end=evaluation.period.end,
            penalty_points=evaluation.penalty_points,
            overdue_count=evaluation.overdue_count,
            finding=FindingRead.of(evaluation.finding),
            issued=ItemCommandRead.of(evaluation.issued) if evaluation.issued else None,
        )


class AppealAccountabilityRead(BaseModel):
    """How often an appeal was transferred; three or more is flagged for its supervisor."""

    appeal_id: UUID
    case_number: str
    transfers: int
    flagged: bool

    @classmethod
    def of(cls, check: BuckCheck) -> AppealAccountabilityRead:
        """The read model of the check."""
        return cls(
            appeal_id=check.appeal_id,
            case_number=check.case_number,
            transfers=check.transfers,
            flagged=check.flagged,
        )

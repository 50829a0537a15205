"""Request and response bodies for action items (协作事项) and congress proposals (提案)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.personal_data import shown_id
from api.schemas.bodies import AwareDatetime, Body, text_field
from api.schemas.case_reads import DeadlineRead
from domain import limits
from domain.action_item import ActionItem, Note
from domain.meeting_terms import ActionItemStatus, ProposalStatus
from domain.proposal import Proposal


class ActionItemCreate(Body):
    """An action item from a recorded decision: department, deadline and criteria required."""

    decision_ref: str = text_field(limits.PERSON_ID, "D1")
    task: str = text_field(limits.TASK, "夜班供餐时间延长至40分钟")
    department: str = text_field(limits.DEPARTMENT, "后勤服务中心")
    deadline: AwareDatetime = Field(examples=["2026-12-31T18:00:00+08:00"])
    acceptance_criteria: str = text_field(limits.CRITERIA, "连续两周夜班供餐不少于40分钟")


class ProgressIn(Body):
    """Progress on the work."""

    note: str = text_field(limits.PROGRESS, "已与供应商协商，下周起执行")


class SubmitIn(Body):
    """The work, submitted for acceptance."""

    note: str = text_field(limits.PROGRESS, "已执行两周，附排班表")


class AcceptIn(Body):
    """Accept the work as meeting the criteria."""

    note: str = text_field(limits.COMMENT, "符合验收标准", required=False)


class RejectIn(Body):
    """Reject the work against the criteria; it goes back in progress."""

    reason: str = text_field(limits.REASON, "仅执行一周，未满足连续两周的标准")


class NoteRead(BaseModel):
    """Something said about the work, when and by whom."""

    text: str
    at: datetime
    by: str

    @classmethod
    def of(cls, note: Note) -> NoteRead:
        """The read model of a note."""
        return cls(text=note.text, at=note.at, by=note.by)


class ActionItemRead(BaseModel):
    """An action item as it stands (or stood)."""

    id: UUID
    version: int
    meeting_id: UUID
    decision_ref: str
    task: str
    department: str
    deadline: datetime
    acceptance_criteria: str
    created_by: str
    status: ActionItemStatus
    progress: list[NoteRead]
    submissions: list[NoteRead]
    rejections: list[NoteRead]
    acceptance: NoteRead | None
    accepted_at: datetime | None
    accepted_late: bool
    overdue: bool
    overdue_at: datetime | None
    modified_at: datetime

    @classmethod
    def of(cls, item: ActionItem) -> ActionItemRead:
        """The read model of an action item."""
        return cls(
            id=item.id,
            version=item.version,
            meeting_id=item.meeting_id,
            decision_ref=item.decision_ref,
            task=item.task,
            department=item.department,
            deadline=item.deadline,
            acceptance_criteria=item.acceptance_criteria,
            created_by=item.created_by,
            status=item.status,
            progress=[NoteRead.of(n) for n in item.progress],
            submissions=[NoteRead.of(n) for n in item.submissions],
            rejections=[NoteRead.of(n) for n in item.rejections],
            acceptance=NoteRead.of(item.acceptance) if item.acceptance else None,
            accepted_at=item.accepted_at,
            accepted_late=item.accepted_late,
            overdue=item.overdue,
            overdue_at=item.overdue_at,
            modified_at=item.modified_on,
        )


class ProposalCreate(Body):
    """A congress proposal: problem, proposed solution, responsible department, deadline."""

    problem: str = text_field(limits.TEXT, "井口候车区冬季无取暖")
    solution: str = text_field(limits.TEXT, "在候车区加装暖风机")
    department: str = text_field(limits.DEPARTMENT, "机电科")
    deadline: AwareDatetime = Field(examples=["2027-01-31T18:00:00+08:00"])
    proposer: str = text_field(limits.ACTOR_ID, "E10234", required=False)


class AssignmentIn(Body):
    """The assignment result (交办结果) to publish."""

    result: str = text_field(limits.ANSWER, "交机电科办理，2027年1月底前完成")


class CompletionIn(Body):
    """Completion reported back to the congress, with links to the evidence."""

    text: str = text_field(limits.ANSWER, "已加装4台暖风机并投入使用")
    evidence_links: list[str] = Field(
        min_length=1, max_length=limits.LINKS, examples=[["https://oa.example.com/docs/123"]]
    )


class ProposalRead(BaseModel):
    """A proposal as it stands (or stood)."""

    id: UUID
    version: int
    meeting_id: UUID
    proposer: str
    problem: str
    solution: str
    department: str
    deadline: datetime
    assignment_deadline: DeadlineRead | None
    status: ProposalStatus
    assignment_result: str | None
    assignment_published_at: datetime | None
    assignment_late: bool
    completion_text: str | None
    evidence_links: list[str]
    completed_at: datetime | None
    completed_late: bool
    modified_at: datetime

    @classmethod
    def of(cls, proposal: Proposal, identity: bool = True) -> ProposalRead:
        """The read model of a proposal; its proposer only for those who may see who."""
        return cls(
            id=proposal.id,
            version=proposal.version,
            meeting_id=proposal.meeting_id,
            proposer=shown_id(proposal.proposer, identity) if proposal.proposer else "",
            problem=proposal.problem,
            solution=proposal.solution,
            department=proposal.department,
            deadline=proposal.deadline,
            assignment_deadline=DeadlineRead.of(proposal.assignment_deadline),
            status=proposal.status,
            assignment_result=proposal.assignment_result,
            assignment_published_at=proposal.assignment_published_at,
            assignment_late=proposal.assignment_late,
            completion_text=proposal.completion_text,
            evidence_links=list(proposal.evidence_links),
            completed_at=proposal.completed_at,
            completed_late=proposal.completed_late,
            modified_at=proposal.modified_on,
        )

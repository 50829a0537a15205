"""Congress proposal commands (one POST each) and reads (current, at a version, history)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.auth import require
from api.case_pages import Cursor, Department, Limit, OpenedBefore, OpenedFrom, Overdue, case_page
from api.case_versions import proposal_at
from api.deps import (
    AfterQuery,
    ExpectedVersionDep,
    IdempotencyKeyDep,
    MeetingsDep,
    ServicesDep,
    etag,
)
from api.personal_data import sees_identity
from api.routes.meetings import MeetingId, done
from api.schemas.action_items import AssignmentIn, CompletionIn, ProposalCreate, ProposalRead
from api.schemas.bodies import AwareDatetime
from api.schemas.lists import CasePageRead
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead, event_read
from domain.actors import Actor
from domain.meeting_terms import ProposalStatus
from domain.policy import Permission
from domain.proposal import Proposal
from projections.case_index import CaseType

router = APIRouter(tags=["proposals"])

ProposalId = Annotated[UUID, "the proposal's id"]


@router.post("/meetings/{meeting_id}/proposals", status_code=status.HTTP_201_CREATED)
def register_proposal(
    meeting_id: MeetingId,
    body: ProposalCreate,
    actor: Annotated[Actor, require(Permission.PROPOSAL_REGISTER)],
    meetings: MeetingsDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> ItemCommandRead:
    """Register a proposal (提案) of a held workers' congress."""
    result = meetings.register_proposal(
        meeting_id,
        problem=body.problem,
        solution=body.solution,
        department=body.department,
        deadline=body.deadline,
        proposer=body.proposer,
        actor=actor,
        key=key,
    )
    response.headers["Location"] = f"/proposals/{result.id}"
    return done(result, response)


@router.post("/proposals/{proposal_id}/assignment")
def publish_assignment(
    proposal_id: ProposalId,
    body: AssignmentIn,
    actor: Annotated[Actor, require(Permission.PROPOSAL_ASSIGN)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Publish the proposal's assignment result (交办结果)."""
    result = meetings.publish_assignment(
        proposal_id, result=body.result, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/proposals/{proposal_id}/completion")
def report_completion(
    proposal_id: ProposalId,
    body: CompletionIn,
    actor: Annotated[Actor, require(Permission.PROPOSAL_REPORT)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Report the proposal's completion back to the congress, with evidence links."""
    result = meetings.report_completion(
        proposal_id,
        text=body.text,
        evidence_links=body.evidence_links,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.get("/proposals", summary="List congress proposals")
def list_proposals(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.PROPOSAL_READ)],
    status: ProposalStatus | None = None,
    department: Department = None,
    meeting_id: UUID | None = None,
    overdue: Overdue = None,
    opened_from: OpenedFrom = None,
    opened_before: OpenedBefore = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> CasePageRead:
    """Congress proposals (职代会提案), newest first, by status, department and congress."""
    return case_page(
        services,
        actor,
        CaseType.PROPOSAL,
        cursor=cursor,
        limit=limit,
        after=after,
        status=status,
        department=department,
        meeting_id=meeting_id,
        overdue=overdue,
        opened_from=opened_from,
        opened_before=opened_before,
    )


@router.get("/proposals/{proposal_id}")
def get_proposal(
    proposal_id: ProposalId,
    actor: Annotated[Actor, require(Permission.PROPOSAL_READ)],
    services: ServicesDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, description="the proposal at this version")] = None,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="the proposal as it stood then (ISO 8601, with zone)"),
    ] = None,
) -> ProposalRead:
    """The proposal now, at a version, or as it stood at a moment; ETag is its version."""
    proposal = proposal_at(services, actor, proposal_id, version, as_of)
    response.headers["ETag"] = etag(proposal.version)
    return proposal


@router.get("/proposals/{proposal_id}/history")
def proposal_history(
    proposal_id: ProposalId,
    actor: Annotated[Actor, require(Permission.PROPOSAL_READ)],
    meetings: MeetingsDep,
) -> ItemHistoryRead:
    """Every event of the proposal in order: type, time, actor and data."""
    identity = sees_identity(actor, meetings.read(Proposal, proposal_id, actor))
    events = [event_read(e, identity) for e in meetings.history(proposal_id)]
    return ItemHistoryRead(id=proposal_id, events=events)

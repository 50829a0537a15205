"""Congress proposal commands (one POST each) and reads (current, at a version, history)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.deps import ActorDep, ExpectedVersionDep, IdempotencyKeyDep, MeetingsDep, etag
from api.routes.meetings import MeetingId, done, one_of_version_and_as_of
from api.schemas.action_items import AssignmentIn, CompletionIn, ProposalCreate, ProposalRead
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead, event_read
from application.casework import event_data

router = APIRouter(tags=["proposals"])

ProposalId = Annotated[UUID, "the proposal's id"]


@router.post("/meetings/{meeting_id}/proposals", status_code=status.HTTP_201_CREATED)
def register_proposal(
    meeting_id: MeetingId,
    body: ProposalCreate,
    actor: ActorDep,
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
    actor: ActorDep,
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
    actor: ActorDep,
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


@router.get("/proposals/{proposal_id}")
def get_proposal(
    proposal_id: ProposalId,
    actor: ActorDep,
    meetings: MeetingsDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, description="the proposal at this version")] = None,
    as_of: Annotated[
        datetime | None, Query(description="the proposal as it stood then (ISO 8601, with zone)")
    ] = None,
) -> ProposalRead:
    """The proposal now, at a version, or as it stood at a moment; ETag is its version."""
    one_of_version_and_as_of(version, as_of, "proposal")
    if as_of is not None:
        proposal = meetings.proposal_as_of(proposal_id, as_of)
    else:
        proposal = meetings.get_proposal(proposal_id, version)
    response.headers["ETag"] = etag(proposal.version)
    return ProposalRead.of(proposal)


@router.get("/proposals/{proposal_id}/history")
def history(proposal_id: ProposalId, actor: ActorDep, meetings: MeetingsDep) -> ItemHistoryRead:
    """Every event of the proposal in order: type, time, actor and data."""
    proposal = meetings.get_proposal(proposal_id)
    events = [event_read(e, event_data(e)) for e in meetings.history(proposal_id)]
    return ItemHistoryRead(id=proposal.id, events=events)

"""Action item commands (one POST each) and reads (current, at a version or a time, history)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.auth import require
from api.case_pages import Cursor, Department, Limit, OpenedBefore, OpenedFrom, Overdue, case_page
from api.case_versions import action_item_at
from api.deps import (
    AfterQuery,
    ExpectedVersionDep,
    IdempotencyKeyDep,
    MeetingsDep,
    ServicesDep,
    etag,
)
from api.routes.meetings import MeetingId, done
from api.schemas.action_items import (
    AcceptIn,
    ActionItemCreate,
    ActionItemRead,
    ProgressIn,
    RejectIn,
    SubmitIn,
)
from api.schemas.bodies import AwareDatetime
from api.schemas.lists import CasePageRead
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead, event_read
from domain.action_item import ActionItem
from domain.actors import Actor
from domain.meeting_terms import ActionItemStatus
from domain.policy import Permission
from projections.case_index import CaseType

router = APIRouter(tags=["action items"])

ItemId = Annotated[UUID, "the action item's id"]


@router.post("/meetings/{meeting_id}/action-items", status_code=status.HTTP_201_CREATED)
def create_action_item(
    meeting_id: MeetingId,
    body: ActionItemCreate,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_CREATE)],
    meetings: MeetingsDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> ItemCommandRead:
    """Create an action item (协作事项) from a recorded decision of the meeting."""
    result = meetings.create_action_item(
        meeting_id,
        decision_ref=body.decision_ref,
        task=body.task,
        department=body.department,
        deadline=body.deadline,
        acceptance_criteria=body.acceptance_criteria,
        actor=actor,
        key=key,
    )
    response.headers["Location"] = f"/action-items/{result.id}"
    return done(result, response)


@router.post("/action-items/{item_id}/progress")
def report_progress(
    item_id: ItemId,
    body: ProgressIn,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_WORK)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record progress on the work."""
    result = meetings.report_progress(
        item_id, note=body.note, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/action-items/{item_id}/submit")
def submit(
    item_id: ItemId,
    body: SubmitIn,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_WORK)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Submit the work for acceptance against the criteria (验收标准)."""
    result = meetings.submit_for_acceptance(
        item_id, note=body.note, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/action-items/{item_id}/accept")
def accept(
    item_id: ItemId,
    body: AcceptIn,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_ACCEPT)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Accept the submitted work as meeting its criteria."""
    result = meetings.accept_item(item_id, note=body.note, actor=actor, expected_version=version)
    return done(result, response)


@router.post("/action-items/{item_id}/reject")
def reject(
    item_id: ItemId,
    body: RejectIn,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_ACCEPT)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Reject the submitted work with a reason; it goes back in progress."""
    result = meetings.reject_item(
        item_id, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/action-items/{item_id}/overdue")
def mark_overdue(
    item_id: ItemId,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_MARK_OVERDUE)],
    meetings: MeetingsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Mark the item overdue: its deadline passed with the work unaccepted."""
    result = meetings.mark_item_overdue(item_id, actor=actor, expected_version=version)
    return done(result, response)


@router.get("/action-items", summary="List action items")
def list_action_items(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_READ)],
    status: ActionItemStatus | None = None,
    department: Department = None,
    meeting_id: UUID | None = None,
    overdue: Overdue = None,
    opened_from: OpenedFrom = None,
    opened_before: OpenedBefore = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> CasePageRead:
    """Action items (协作事项), newest first, by status, department, meeting, overdue."""
    return case_page(
        services,
        actor,
        CaseType.ACTION_ITEM,
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


@router.get("/action-items/{item_id}")
def get_action_item(
    item_id: ItemId,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_READ)],
    services: ServicesDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, description="the item at this version")] = None,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="the item as it stood then (ISO 8601, with zone)"),
    ] = None,
) -> ActionItemRead:
    """The action item now, at a version, or as it stood at a moment; ETag is its version."""
    item = action_item_at(services, actor, item_id, version, as_of)
    response.headers["ETag"] = etag(item.version)
    return item


@router.get("/action-items/{item_id}/history")
def action_item_history(
    item_id: ItemId,
    actor: Annotated[Actor, require(Permission.ACTION_ITEM_READ)],
    meetings: MeetingsDep,
) -> ItemHistoryRead:
    """Every event of the action item in order: type, time, actor and data."""
    history = meetings.read_history(ActionItem, item_id, actor)
    return ItemHistoryRead(id=item_id, events=[event_read(e) for e in history])

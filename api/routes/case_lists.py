"""List endpoints for appeals, meetings, action items and proposals, read from the case index.

Each filters, pages newest first with an opaque cursor, and accepts `?after=<position>` to
wait (bounded) until the index includes a command's event.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.auth import require
from api.deps import AfterQuery, ServicesDep, department_code, wait_for_view
from api.errors import ApiProblem
from api.schemas.appeals import AwareDatetime
from api.schemas.lists import CasePageRead, decode_cursor
from domain.actors import Actor
from domain.meeting_terms import ActionItemStatus, MeetingKind, MeetingStatus, ProposalStatus
from domain.policy import Permission
from domain.terms import Channel, Kind, Status, Tier
from projections.case_index import CaseIndexView, CaseQuery, CaseType
from projections.scope import ReadScope

router = APIRouter(tags=["lists"])

VIEW = "case_index"

Department = Annotated[
    str | None, Query(max_length=200, description="cases involving this department")
]
OpenedFrom = Annotated[
    AwareDatetime | None,
    Query(alias="from", description="opened (raised, scheduled, created) at or after this time"),
]
OpenedBefore = Annotated[
    AwareDatetime | None, Query(alias="to", description="opened before this time")
]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="rows per page")]
Overdue = Annotated[
    bool | None, Query(description="only cases past (true) or not past (false) their deadline")
]


#: What listing each case type needs; the reader's reach with it filters the rows.
READ = {
    CaseType.APPEAL: Permission.APPEAL_READ,
    CaseType.MEETING: Permission.MEETING_READ,
    CaseType.ACTION_ITEM: Permission.ACTION_ITEM_READ,
    CaseType.PROPOSAL: Permission.PROPOSAL_READ,
}


def _page(
    services: ServicesDep,
    actor: Actor,
    case_type: CaseType,
    *,
    cursor: str | None,
    limit: int,
    after: int | None,
    department: str | None = None,
    **filters: Any,
) -> CasePageRead:
    """One page of the case type's rows matching the filters that `actor` may read, as of
    the view's position."""
    query = CaseQuery(
        case_type=case_type,
        now=services.casework.now(),
        after=decode_cursor(cursor),
        limit=limit,
        department=department_code(services, department),
        scope=ReadScope.of(actor, READ[case_type]),
        **filters,
    )
    if (
        query.opened_from is not None
        and query.opened_before is not None
        and query.opened_from >= query.opened_before
    ):
        raise ApiProblem(400, "invalid-range", "Empty date range", "from: must be before `to`")
    position = wait_for_view(services, VIEW, after)
    view = services.views.typed(VIEW, CaseIndexView)  # type: ignore[type-abstract]
    return CasePageRead.of(view.list_cases(query), position)


@router.get("/appeals", summary="List appeals")
def list_appeals(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.APPEAL_READ)],
    status: Status | None = None,
    channel: Channel | None = None,
    kind: Kind | None = None,
    tier: Tier | None = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    department: Department = None,
    overdue: Overdue = None,
    min_transfers: Annotated[
        int | None, Query(ge=1, description="transferred at least this often (3: flag)")
    ] = None,
    opened_from: OpenedFrom = None,
    opened_before: OpenedBefore = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> CasePageRead:
    """Appeals, newest first, filtered by status, channel, kind, tier, category,
    department, overdue, transfer count and when they were raised."""
    return _page(
        services,
        actor,
        CaseType.APPEAL,
        cursor=cursor,
        limit=limit,
        after=after,
        status=status,
        channel=channel,
        kind=kind,
        tier=tier,
        category=category,
        department=department,
        overdue=overdue,
        min_transfers=min_transfers,
        opened_from=opened_from,
        opened_before=opened_before,
    )


@router.get("/meetings", summary="List meetings")
def list_meetings(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.MEETING_READ)],
    kind: MeetingKind | None = None,
    tier: Tier | None = None,
    status: MeetingStatus | None = None,
    department: Department = None,
    opened_from: OpenedFrom = None,
    opened_before: OpenedBefore = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> CasePageRead:
    """Meetings, latest scheduled first, filtered by kind, tier, status, invited department
    and scheduled time (`from`/`to`)."""
    return _page(
        services,
        actor,
        CaseType.MEETING,
        cursor=cursor,
        limit=limit,
        after=after,
        kind=kind,
        tier=tier,
        status=status,
        department=department,
        opened_from=opened_from,
        opened_before=opened_before,
    )


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
    return _page(
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
    return _page(
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

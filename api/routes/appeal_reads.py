"""Appeal reads: the list of appeals (from the case index), one appeal now, at a version or
as it stood at a moment, and its history. The commands (one POST each) are in
`api.routes.appeals`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.auth import require
from api.case_pages import Cursor, Department, Limit, OpenedBefore, OpenedFrom, Overdue, case_page
from api.case_versions import appeal_at
from api.deps import AfterQuery, CaseworkDep, ServicesDep, etag
from api.personal_data import sees_identity, shown_event
from api.schemas.appeal_reads import AppealRead, HistoryRead
from api.schemas.bodies import AwareDatetime
from api.schemas.case_reads import ActorRead, EventRead
from api.schemas.lists import CasePageRead
from domain.actors import Actor
from domain.policy import Permission
from domain.terms import Channel, Kind, Status, Tier
from projections.case_index import CaseType

router = APIRouter(prefix="/appeals", tags=["appeals"])

AppealId = Annotated[UUID, "the appeal's id"]


@router.get("", summary="List appeals")
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
    return case_page(
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


@router.get("/{appeal_id}")
def get_appeal(
    appeal_id: AppealId,
    actor: Annotated[Actor, require(Permission.APPEAL_READ)],
    services: ServicesDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, description="the appeal at this version")] = None,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="the appeal as it stood then (ISO 8601, with zone)"),
    ] = None,
) -> AppealRead:
    """The appeal now, at a version, or as it stood at a moment; ETag is its version."""
    appeal = appeal_at(services, actor, appeal_id, version, as_of)
    response.headers["ETag"] = etag(appeal.version)
    return appeal


@router.get("/{appeal_id}/history")
def appeal_history(
    appeal_id: AppealId,
    actor: Annotated[Actor, require(Permission.APPEAL_READ)],
    casework: CaseworkDep,
) -> HistoryRead:
    """Every event of the appeal in order: type, time, actor and data. Who raised a named
    appeal, and the appellant as the actor of what they did, show only to those the
    policy lets see the appellant's identity."""
    appeal = casework.read_appeal(appeal_id, actor)
    identity = sees_identity(actor, appeal)
    events = []
    for event in casework.history(appeal_id):
        data, by = shown_event(event, identity=identity, appeal=True)
        events.append(
            EventRead(
                version=event.originator_version,
                type=type(event).__name__,
                time=event.timestamp,
                actor=ActorRead(id=by, role=event.actor_role),
                data=data,
            )
        )
    return HistoryRead(id=appeal.id, case_number=appeal.case_number, events=events)

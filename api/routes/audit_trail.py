"""The audit trail: every event flattened, queried by case, actor, department, type and time,
and exported as CSV, .xlsx or JSON Lines, streamed.

People's data is sealed in the view; rows leave with it opened as the reader may see it
(`api.personal_data`). The reads themselves are in `api.audit_reads`, which the auditor's
pages share.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.audit_reads import audit_query, export_trail, read_case_trail, shown, trail_view
from api.auth import require
from api.deps import AfterQuery, ServicesDep
from api.exports import CSV_CONTENT, XLSX_RESPONSE, ExportFormat, lines_response
from api.schemas.audit_trail import (
    AuditCaseRead,
    AuditEventRead,
    AuditPageRead,
    export_record,
)
from api.schemas.bodies import AwareDatetime
from domain.actors import Actor
from domain.policy import Permission
from projections.audit_trail import MAX_LIMIT, AuditQuery

router = APIRouter(prefix="/audit", tags=["audit"])


def audit_filters(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    case_id: Annotated[UUID | None, Query(description="one case's events")] = None,
    by: Annotated[
        str | None,
        Query(alias="actor", max_length=200, description="events by this actor id"),
    ] = None,
    department: Annotated[
        str | None, Query(max_length=200, description="events concerning this department")
    ] = None,
    event_type: Annotated[
        str | None, Query(max_length=100, description="e.g. Transferred", examples=["Replied"])
    ] = None,
    case_type: Annotated[
        str | None,
        Query(max_length=100, description="appeal, meeting, action_item, proposal, penalty, …"),
    ] = None,
    occurred_from: Annotated[
        AwareDatetime | None, Query(alias="from", description="at or after this time")
    ] = None,
    occurred_before: Annotated[
        AwareDatetime | None, Query(alias="to", description="before this time")
    ] = None,
) -> AuditQuery:
    """The filters every audit read shares."""
    return audit_query(
        services,
        actor,
        case_id=case_id,
        by=by,
        department=department,
        event_type=event_type,
        case_type=case_type,
        occurred_from=occurred_from,
        occurred_before=occurred_before,
    )


FiltersDep = Annotated[AuditQuery, Depends(audit_filters)]


@router.get("/events", summary="Query the audit trail")
def list_events(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    filters: FiltersDep,
    cursor: Annotated[
        int | None, Query(ge=0, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = 100,
    after: AfterQuery = None,
) -> AuditPageRead:
    """Events of every case, oldest first, filtered by case, actor, department, event type,
    case type and time (`from`/`to`), a page at a time."""
    view, position = trail_view(services, after)
    page = view.find(replace(filters, after=cursor, limit=limit))
    return AuditPageRead(
        items=[AuditEventRead.of(row) for row in shown(page.rows, services, actor)],
        next_cursor=page.next_after,
        position=position,
    )


@router.get("/cases/{case_id}", summary="A case's whole audit trail")
def case_trail(
    case_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    after: AfterQuery = None,
) -> AuditCaseRead:
    """Every event of one case (appeal, meeting, action item, …) in order; a department
    sees the events concerning it."""
    trail = read_case_trail(services, actor, case_id, after)
    return AuditCaseRead(
        case_id=case_id,
        case_type=trail.case_type,
        case_ref=trail.case_ref,
        events=[AuditEventRead.of(row) for row in trail.rows],
        position=trail.position,
    )


@router.get(
    "/export.csv",
    summary="Export the audit trail as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": CSV_CONTENT}},
)
def export_csv(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    filters: FiltersDep,
    after: AfterQuery = None,
) -> StreamingResponse:
    """Every matching event, oldest first, streamed: a header row, then one row per event
    (`data` as JSON), in UTF-8 after a byte-order mark (so Excel and WPS read the Chinese
    right); `/audit/export.xlsx` gives the same rows as a workbook."""
    return export_trail(services, actor, filters, after, ExportFormat.CSV)


@router.get(
    "/export.xlsx",
    summary="Export the audit trail as an .xlsx workbook",
    response_class=StreamingResponse,
    responses=XLSX_RESPONSE,
)
def export_xlsx(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    filters: FiltersDep,
    after: AfterQuery = None,
) -> StreamingResponse:
    """The CSV export's rows as an .xlsx workbook (the same columns; times as Excel dates in
    China Standard Time, numbers as numbers, formula-like text kept as text)."""
    return export_trail(services, actor, filters, after, ExportFormat.XLSX)


@router.get(
    "/export.jsonl",
    summary="Export the audit trail as JSON Lines",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/jsonl": {}}}},
)
def export_jsonl(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    filters: FiltersDep,
    after: AfterQuery = None,
) -> StreamingResponse:
    """Every matching event, oldest first, streamed: one JSON object per line."""
    view, position = trail_view(services, after)
    rows = shown(view.export_rows(filters), services, actor)
    lines = (json.dumps(export_record(row), ensure_ascii=False) + "\n" for row in rows)
    return lines_response(
        lines, "application/jsonl; charset=utf-8", f"audit-trail-{position}.jsonl"
    )

"""The audit trail: every event flattened, queried by case, actor, department, type and time,
and exported as CSV or JSON Lines, streamed.

People's data is sealed in the view; rows leave with it opened as the reader may see it
(`api.personal_data`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.auth import require
from api.bootstrap import Services
from api.deps import AfterQuery, ServicesDep, department_code, wait_for_view
from api.errors import ApiProblem
from api.personal_data import person_actor, shown_rows
from api.schemas.audit_trail import (
    EXPORT_FIELDS,
    AuditCaseRead,
    AuditEventRead,
    AuditPageRead,
    export_record,
)
from api.schemas.bodies import AwareDatetime
from api.spreadsheet import cell
from domain.actors import Actor
from domain.errors import NotFound
from domain.policy import Permission, may_see_every_identity
from projections.audit_trail import MAX_LIMIT, AuditQuery, AuditRow, AuditTrailView
from projections.scope import ReadScope

router = APIRouter(prefix="/audit", tags=["audit"])

VIEW = "audit_trail"
LINES_PER_CHUNK = 500


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
    if (
        occurred_from is not None
        and occurred_before is not None
        and occurred_from >= occurred_before
    ):
        raise ApiProblem(400, "invalid-range", "Empty time range", "from: must be before `to`")
    return AuditQuery(
        case_id=case_id,
        actor_id=by,
        # An employee acting in person is in the view as their reference: found by their
        # id only for those who may see anyone's identity.
        actor_ref=(
            person_actor(by, services.keyring) if by and may_see_every_identity(actor) else None
        ),
        department=department_code(services, department),
        event_type=event_type,
        case_type=case_type,
        occurred_from=occurred_from,
        occurred_before=occurred_before,
        scope=ReadScope.of(actor, Permission.AUDIT_READ),
    )


FiltersDep = Annotated[AuditQuery, Depends(audit_filters)]


def _trail(services: Services, after: int | None) -> tuple[AuditTrailView, int]:
    position = wait_for_view(services, VIEW, after)
    return services.views.typed(VIEW, AuditTrailView), position  # type: ignore[type-abstract]


def _shown(rows: Iterable[AuditRow], services: Services, actor: Actor) -> Iterator[AuditRow]:
    """The rows as this actor may see them (`api.personal_data`)."""
    return shown_rows(rows, actor, services.keyring, services.casework.repository.get)


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
    view, position = _trail(services, after)
    page = view.find(replace(filters, after=cursor, limit=limit))
    return AuditPageRead(
        items=[AuditEventRead.of(row) for row in _shown(page.rows, services, actor)],
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
    view, position = _trail(services, after)
    rows = view.case_trail(case_id, ReadScope.of(actor, Permission.AUDIT_READ))
    if not rows:
        raise NotFound(f"no case {case_id} in the audit trail (up to position {position})")
    return AuditCaseRead(
        case_id=case_id,
        case_type=rows[0].case_type,
        case_ref=rows[0].case_ref,
        events=[AuditEventRead.of(row) for row in _shown(rows, services, actor)],
        position=position,
    )


@router.get(
    "/export.csv",
    summary="Export the audit trail as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    filters: FiltersDep,
    after: AfterQuery = None,
) -> StreamingResponse:
    """Every matching event, oldest first, streamed: a header row, then one row per event
    (`data` as JSON)."""
    view, position = _trail(services, after)
    rows = _shown(view.export_rows(filters), services, actor)
    return _stream(_csv_lines(rows), "text/csv; charset=utf-8", f"audit-trail-{position}.csv")


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
    view, position = _trail(services, after)
    rows = _shown(view.export_rows(filters), services, actor)
    lines = (json.dumps(export_record(row), ensure_ascii=False) + "\n" for row in rows)
    return _stream(lines, "application/jsonl; charset=utf-8", f"audit-trail-{position}.jsonl")


def _csv_lines(rows: Iterable[AuditRow]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        record = export_record(row)
        record["data"] = json.dumps(record["data"], ensure_ascii=False)
        writer.writerow(["" if record[f] is None else cell(record[f]) for f in EXPORT_FIELDS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _stream(lines: Iterable[str], media_type: str, filename: str) -> StreamingResponse:
    """Lines sent a few hundred at a time, so neither side holds the whole export."""

    def chunks() -> Iterator[bytes]:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= LINES_PER_CHUNK:
                yield "".join(batch).encode()
                batch.clear()
        if batch:
            yield "".join(batch).encode()

    return StreamingResponse(
        chunks(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

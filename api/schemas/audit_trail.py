"""Bodies of the audit-trail endpoints, and the record each exported line holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.case_reads import ActorRead
from projections.audit_trail import AuditRow

#: Columns of the CSV export, and keys of each JSON Lines object, in this order.
EXPORT_FIELDS = (
    "position",
    "case_id",
    "case_type",
    "case_ref",
    "version",
    "event_type",
    "time",
    "actor_id",
    "actor_role",
    "department",
    "summary",
    "data",
)


class AuditEventRead(BaseModel):
    """One event of the audit trail."""

    position: int = Field(description="the event's global position", examples=[1234])
    case_id: UUID
    case_type: str = Field(examples=["appeal"])
    case_ref: str | None = Field(default=None, examples=["HY-2026-000123"])
    version: int = Field(description="the case's version after this event", examples=[2])
    event_type: str = Field(examples=["Transferred"])
    time: datetime
    actor: ActorRead
    department: str | None = Field(
        default=None, description="the department the event concerns", examples=["后勤服务中心"]
    )
    summary: str = Field(examples=["转办至 后勤服务中心 (deadline 2026-11-27)"])
    data: dict[str, Any] = Field(
        description="the event's fields; a named appellant shows only to roles allowed "
        'to read identity, else as {"redacted": true}'
    )

    @classmethod
    def of(cls, row: AuditRow) -> AuditEventRead:
        """The row as the API shows it."""
        return cls(
            position=row.position,
            case_id=row.case_id,
            case_type=row.case_type,
            case_ref=row.case_ref,
            version=row.version,
            event_type=row.event_type,
            time=row.at,
            actor=ActorRead(id=row.actor_id, role=row.actor_role),
            department=row.department,
            summary=row.summary,
            data=row.data,
        )


class AuditPageRead(BaseModel):
    """A page of the audit trail, oldest first."""

    items: list[AuditEventRead]
    next_cursor: int | None = Field(
        description="pass as `cursor` for the next page; null on the last page",
        examples=[1234],
    )
    position: int = Field(description="the view's position: every event up to it is included")


class AuditCaseRead(BaseModel):
    """A case's whole trail, in order."""

    case_id: UUID
    case_type: str = Field(examples=["appeal"])
    case_ref: str | None = Field(default=None, examples=["HY-2026-000123"])
    events: list[AuditEventRead]
    position: int = Field(description="the view's position: every event up to it is included")


def export_record(row: AuditRow) -> dict[str, Any]:
    """One exported line: the row with its actor flattened (keys as in EXPORT_FIELDS)."""
    return {
        "position": row.position,
        "case_id": str(row.case_id),
        "case_type": row.case_type,
        "case_ref": row.case_ref,
        "version": row.version,
        "event_type": row.event_type,
        "time": row.at.isoformat(),
        "actor_id": row.actor_id,
        "actor_role": row.actor_role,
        "department": row.department,
        "summary": row.summary,
        "data": row.data,
    }


def export_cells(row: AuditRow) -> list[Any]:
    """One exported spreadsheet row, typed (a moment, numbers, the data as a dict), in the
    order of EXPORT_FIELDS: CSV and .xlsx render it (`api.spreadsheet`, `api.xlsx`)."""
    record = export_record(row)
    record["time"] = row.at
    return [record[field] for field in EXPORT_FIELDS]

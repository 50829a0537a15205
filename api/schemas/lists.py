"""Bodies of the list endpoints: one page of cases and the cursor to the next."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.errors import ApiProblem
from projections.case_index import CasePage, CaseRow


class CaseRead(BaseModel):
    """One case as a list shows it; GET the case itself for everything else."""

    id: UUID
    case_type: str = Field(examples=["appeal"])
    ref: str = Field(
        description="case number, decision ref or quarter", examples=["HY-2026-000123"]
    )
    title: str = Field(examples=["夜班食堂供餐时间太短"])
    kind: str = Field(examples=["complaint"])
    status: str = Field(examples=["transferred"])
    opened_at: datetime
    updated_at: datetime
    version: int = Field(examples=[3])
    channel: str | None = Field(default=None, examples=["talk_session"])
    tier: str | None = Field(default=None, examples=["workers"])
    category: str | None = Field(default=None, examples=["canteen"])
    department: str | None = Field(default=None, examples=["后勤服务中心"])
    departments: list[str] = Field(description="every department the case involves")
    deadline_at: datetime | None = Field(default=None, description="what is due next, if any")
    response_due: datetime | None = Field(
        default=None,
        description="an appeal's first response, owed from raising until something answers "
        "the appellant",
    )
    overdue: bool
    transfers: int = Field(examples=[1])
    meeting_id: UUID | None = None

    @classmethod
    def of(cls, row: CaseRow) -> CaseRead:
        """The row as the API shows it."""
        return cls(
            id=row.id,
            case_type=row.case_type.value,
            ref=row.ref,
            title=row.title,
            kind=row.kind,
            status=row.status,
            opened_at=row.opened_at,
            updated_at=row.updated_at,
            version=row.version,
            channel=row.channel,
            tier=row.tier,
            category=row.category,
            department=row.department,
            departments=row.departments,
            deadline_at=row.deadline_at,
            response_due=row.response_due,
            overdue=row.overdue,
            transfers=row.transfers,
            meeting_id=row.meeting_id,
        )


class CasePageRead(BaseModel):
    """A page of cases, newest first."""

    items: list[CaseRead]
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null on the last page",
        examples=["WyIyMDI2LTExLTIwVDA5OjMwOjAwKzA4OjAwIiwgIjFmNGMiXQ"],
    )
    position: int = Field(description="the view's position: every event up to it is included")

    @classmethod
    def of(cls, page: CasePage, position: int) -> CasePageRead:
        """The page as the API shows it."""
        return cls(
            items=[CaseRead.of(row) for row in page.rows],
            next_cursor=encode_cursor(page.next_after) if page.next_after else None,
            position=position,
        )


def encode_cursor(after: tuple[datetime, UUID]) -> str:
    """An opaque cursor for the row after which the next page starts."""
    raw = json.dumps([after[0].isoformat(), str(after[1])]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The row a cursor points after; 400 naming `cursor` when it is not one of ours."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, ident = json.loads(raw)
        after = (datetime.fromisoformat(moment), UUID(ident))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ApiProblem(
            400,
            "invalid-cursor",
            "Malformed cursor",
            "cursor: not a cursor from a previous page's next_cursor",
        ) from None
    if after[0].tzinfo is None:
        raise ApiProblem(400, "invalid-cursor", "Malformed cursor", "cursor: not time-zone aware")
    return after

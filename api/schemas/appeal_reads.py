"""Response bodies of an appeal: as its workers see it, as the public sees it, and its
history."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.case_reads import DeadlineRead, EventRead
from domain.appeal import Appeal
from domain.terms import Channel, Kind, Outcome, Rating, Status, Tier, Urgency


class TransferRead(BaseModel):
    """One transfer in the appeal's history."""

    department: str
    supervisor: str
    at: datetime
    by: str
    reason: str
    supervisor_reason: str = ""


class ReplyRead(BaseModel):
    """The department's reply."""

    answer: str
    basis: str
    department: str
    at: datetime
    by: str


class AppellantRead(BaseModel):
    """Who raised the appeal (shown only to those allowed to see it)."""

    name: str
    employee_no: str
    contact: str


class PublicAppealRead(BaseModel):
    """What the holder of a receipt code (or anyone reading a disclosure) may see."""

    case_number: str
    channel: Channel
    kind: Kind
    category: str
    title: str
    text: str
    status: Status
    version: int
    raised_at: datetime
    responsible_department: str | None
    reply_deadline: DeadlineRead | None
    answer: str | None = Field(description="the department's reply or the on-the-spot answer")
    basis: str | None
    public_text: str | None
    rating: Rating | None
    outcome: Outcome | None
    closing_note: str | None

    @classmethod
    def of(cls, appeal: Appeal) -> PublicAppealRead:
        """The public view of an appeal."""
        return cls(**_public_fields(appeal))


class AppealRead(PublicAppealRead):
    """An appeal as it stands (or stood), for the people working on it."""

    model_config = ConfigDict(json_schema_extra={"examples": []})

    id: UUID
    department: str
    tier: Tier | None
    urgency: Urgency
    anonymous: bool
    appellant: AppellantRead | None = Field(
        description="null for anonymous appeals, or when you may not see who raised it"
    )
    appellant_erased: bool = Field(
        description="the appellant asked to be forgotten: their identity and own words "
        "(title, text, comments) read as erased"
    )
    meeting_id: UUID | None
    supervisor: str | None
    response_deadline: DeadlineRead | None
    transfers: list[TransferRead]
    first_response_at: datetime | None
    reply: ReplyRead | None
    published_at: datetime | None
    rating_comment: str | None
    reopen_count: int
    implementing_department: str | None
    adoption_plan: str | None
    closed_at: datetime | None
    modified_at: datetime

    @classmethod
    def for_reader(cls, appeal: Appeal, identity: bool) -> AppealRead:
        """The appeal, with who raised it if the reader may see it (`identity`, decided by
        `api.personal_data.sees_identity`)."""
        appellant = None
        if appeal.appellant is not None and identity:
            a = appeal.appellant
            appellant = AppellantRead(name=a.name, employee_no=a.employee_no, contact=a.contact)
        return cls(
            **_public_fields(appeal),
            id=appeal.id,
            department=appeal.department,
            tier=appeal.tier,
            urgency=appeal.urgency,
            anonymous=appeal.anonymous,
            appellant=appellant,
            appellant_erased=appeal.appellant is not None and appeal.appellant.erased,
            meeting_id=appeal.meeting_id,
            supervisor=appeal.supervisor,
            response_deadline=DeadlineRead.of(appeal.response_deadline),
            transfers=[TransferRead(**t.__dict__) for t in appeal.transfers],
            first_response_at=appeal.first_response_at,
            reply=ReplyRead(**appeal.reply.__dict__) if appeal.reply else None,
            published_at=appeal.published_at,
            rating_comment=appeal.rating_comment,
            reopen_count=appeal.reopen_count,
            implementing_department=appeal.implementing_department,
            adoption_plan=appeal.adoption_plan,
            closed_at=appeal.closed_at,
            modified_at=appeal.modified_on,
        )


def _public_fields(appeal: Appeal) -> dict[str, Any]:
    answer = appeal.reply.answer if appeal.reply else appeal.on_spot_answer
    basis = appeal.reply.basis if appeal.reply else appeal.on_spot_basis
    return {
        "case_number": appeal.case_number,
        "channel": appeal.channel,
        "kind": appeal.kind,
        "category": appeal.category,
        "title": appeal.title,
        "text": appeal.text,
        "status": appeal.status,
        "version": appeal.version,
        "raised_at": appeal.raised_at,
        "responsible_department": appeal.responsible_department,
        "reply_deadline": DeadlineRead.of(appeal.reply_deadline),
        "answer": answer,
        "basis": basis,
        "public_text": appeal.public_text,
        "rating": appeal.rating,
        "outcome": appeal.outcome,
        "closing_note": appeal.closing_note,
    }


class HistoryRead(BaseModel):
    """Every event of an appeal, in order."""

    id: UUID
    case_number: str
    events: list[EventRead]

"""Request and response bodies for appeals, with examples for the OpenAPI docs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from annotated_types import MaxLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from domain import limits
from domain.appeal import Appeal, Appellant
from domain.deadlines import Deadline
from domain.terms import Channel, Kind, Outcome, Rating, Status, Tier, Urgency
from domain.values import NUL_REFUSED
from infrastructure.replay import holds_nul

#: The moments the service takes: years a calendar and every time zone can hold.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)


def _not_a_number(value: Any) -> Any:
    """Refuses a number for a moment (pydantic would read it as seconds since 1970)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("give a date and time such as 2026-12-01T18:00:00+08:00, not a number")
    return value


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-12-01T18:00:00+08:00")
    try:
        inside = EARLIEST <= moment.astimezone(UTC) <= LATEST
    except OverflowError:  # 0001-01-01 at +14:00 is before the first moment Python holds
        inside = False
    if not inside:
        raise ValueError("must be between 1900-01-01 and 9999-12-30 (UTC)")
    return moment


_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")

#: A moment with its time zone, in the range every view and calendar can hold.
AwareDatetime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_aware)]


def text_field(limit: int, example: str, *, required: bool = True) -> Any:
    """A text field with its size limit and an example."""
    return Field(
        ... if required else "",
        min_length=1 if required else 0,
        max_length=limit,
        examples=[example],
    )


class Body(BaseModel):
    """Request bodies refuse fields they do not know, trim white space, and refuse text
    holding the NUL character in any field (its error names the field)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _limit_before_trimming(cls, value: Any, info: ValidationInfo) -> Any:
        """A text's size limit holds for what was sent, as the schema says, not only for what
        is left once white space is trimmed."""
        if isinstance(value, str) and info.field_name is not None:
            limits = cls.model_fields[info.field_name].metadata
            limit = next((m.max_length for m in limits if isinstance(m, MaxLen)), None)
            if limit is not None and len(value) > limit:
                raise ValueError(f"at most {limit} characters, white space included")
        return value

    @field_validator("*")  # after: a nested body has checked its own fields
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise ValueError(NUL_REFUSED)
        return value


class AppellantIn(Body):
    """Who raises a named appeal; encrypted at rest, never published."""

    name: str = text_field(limits.NAME, "王建国")
    employee_no: str = text_field(limits.EMPLOYEE_NO, "E10234")
    contact: str = text_field(limits.CONTACT, "138-0000-1234", required=False)


class AppealCreate(Body):
    """A new appeal. Leave out `appellant` for an anonymous one: you get a receipt code."""

    channel: Channel = Field(examples=[Channel.GRID_LIAISON])
    kind: Kind = Field(examples=[Kind.COMPLAINT])
    category: str = text_field(limits.CATEGORY, "canteen")
    title: str = text_field(limits.TITLE, "夜班食堂供餐时间太短")
    text: str = text_field(limits.TEXT, "夜班下井前食堂只开放20分钟，来不及吃饭。")
    department: str = text_field(limits.DEPARTMENT, "后勤服务中心", required=False)
    tier: Tier | None = Field(default=None, examples=[None])
    urgency: Urgency = Urgency.NORMAL
    appellant: AppellantIn | None = None
    meeting_id: UUID | None = None

    def appellant_value(self) -> Appellant | None:
        """The domain appellant, if named."""
        a = self.appellant
        return Appellant(a.name, a.employee_no, a.contact) if a else None


class AnswerOnSpot(Body):
    """An answer given on the spot (现场答复)."""

    answer: str = text_field(limits.ANSWER, "夜班供餐延长至40分钟，下周一起执行。")
    basis: str = text_field(limits.BASIS, "《后勤服务管理办法》第12条", required=False)
    close: bool = Field(default=False, description="close the appeal at once")


DEPARTMENT_REF = "a department of the directory: its code or its name"
SUPERVISOR = (
    "the supervisor (督办员), a supervisor of the directory; an appeal raised at a talk is "
    "supervised by its tier's lead: leave it out, or name another with `supervisor_reason`"
)


class TransferIn(Body):
    """Transfer to a responsible department (转办); the deadline defaults to the channel rule."""

    department: str = Field(
        min_length=1,
        max_length=limits.DEPARTMENT,
        examples=["后勤服务中心"],
        description=DEPARTMENT_REF,
    )
    supervisor: str | None = Field(
        default=None,
        max_length=limits.ACTOR_ID,
        examples=["union-vice-chair"],
        description=SUPERVISOR,
    )
    supervisor_reason: str = Field(
        default="",
        max_length=limits.REASON,
        description="why a talk's appeal is supervised by someone other than its tier's lead",
    )
    deadline: AwareDatetime | None = Field(
        default=None, examples=[None], description="explicit reply deadline; default: policy"
    )


class RetransferIn(Body):
    """Hand the appeal on to another department, saying why."""

    department: str = Field(
        min_length=1,
        max_length=limits.DEPARTMENT,
        examples=["人力资源部"],
        description=DEPARTMENT_REF,
    )
    reason: str = text_field(limits.REASON, "涉及排班制度，由人力资源部牵头办理")
    supervisor: str | None = Field(
        default=None, max_length=limits.ACTOR_ID, description="a new supervisor; default: the same"
    )
    supervisor_reason: str = Field(default="", max_length=limits.REASON)
    deadline: AwareDatetime | None = None


class ContactIn(Body):
    """How the appellant was reached (a call, a visit): the first response, if the first."""

    note: str = text_field(limits.COMMENT, "已电话联系职工，告知工伤认定材料已转人力资源部")


class AcknowledgeIn(Body):
    """The department's first response."""

    note: str = text_field(limits.COMMENT, "已收到，正在核实排班情况", required=False)


class ExtendDeadlineIn(Body):
    """A later reply deadline, with the reason and who approved it."""

    deadline: AwareDatetime = Field(examples=["2026-12-15T18:00:00+08:00"])
    reason: str = text_field(limits.REASON, "需与供应商重新签订合同")
    approved_by: str = text_field(limits.ACTOR_ID, "union-chair")


class ReplyIn(Body):
    """The department's reply: factual, with its basis (依据)."""

    answer: str = text_field(limits.ANSWER, "自12月1日起夜班供餐时间延长至40分钟。")
    basis: str = text_field(limits.BASIS, "《后勤服务管理办法》第12条；2026年第4次联席会决定")


class PublishIn(Body):
    """The public text of the answer (公示); no personal data."""

    public_text: str = text_field(
        limits.PUBLIC_TEXT, "关于夜班供餐时间的诉求：自12月1日起延长至40分钟。"
    )


class RateIn(Body):
    """The appellant's rating; dissatisfied sends the appeal back."""

    rating: Rating = Field(examples=[Rating.SATISFIED])
    comment: str = text_field(limits.COMMENT, "问题已解决，谢谢", required=False)


class AdoptIn(Body):
    """Adopt a suggestion and hand it to a department to implement."""

    department: str = text_field(limits.DEPARTMENT, "机电科")
    plan: str = text_field(limits.ANSWER, "在井口增设两处照明，2027年1月前完成")


class DeclineIn(Body):
    """Decline a suggestion with a reasoned explanation (论证说明)."""

    explanation: str = text_field(limits.ANSWER, "经论证，该位置不符合防爆要求，无法加装")


class AppealCloseIn(Body):
    """Close the appeal (办结)."""

    outcome: Outcome = Field(examples=[Outcome.RESOLVED])
    note: str = text_field(limits.COMMENT, "已落实", required=False)


class AppealWithdrawIn(Body):
    """Withdraw the appeal."""

    reason: str = text_field(limits.REASON, "问题已自行解决", required=False)


class CommandRead(BaseModel):
    """What a command did: the appeal's new version and the event's global position."""

    id: UUID
    case_number: str = Field(examples=["HY-2026-000123"])
    version: int = Field(examples=[3])
    position: int = Field(examples=[1234], description="position in the global event sequence")
    receipt_code: str | None = Field(
        default=None,
        examples=[None],
        description="anonymous appeals only: keep it to follow, read and rate the appeal",
    )


class DeadlineRead(BaseModel):
    """A deadline and the rule that produced it."""

    due: datetime
    act: str = Field(examples=["reply"])
    rule: str = Field(examples=["reply.default"])
    basis: str = Field(examples=["reply within 5 working days of being transferred"])

    @classmethod
    def of(cls, deadline: Deadline | None) -> DeadlineRead | None:
        """The deadline, if any."""
        if deadline is None:
            return None
        return cls(
            due=deadline.due, act=deadline.act.value, rule=deadline.rule, basis=deadline.basis
        )


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


class ActorRead(BaseModel):
    """Who did it."""

    id: str
    role: str


class EventRead(BaseModel):
    """One event of an appeal's history."""

    version: int
    type: str = Field(examples=["Transferred"])
    time: datetime
    actor: ActorRead
    data: dict[str, Any]


class HistoryRead(BaseModel):
    """Every event of an appeal, in order."""

    id: UUID
    case_number: str
    events: list[EventRead]

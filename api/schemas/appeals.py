"""Request bodies of the appeal commands, and what a command answers, with examples for the
OpenAPI docs."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

# Also re-exported from here, its old home, where api/routes/metrics.py imports it.
from api.schemas.bodies import AwareDatetime as AwareDatetime
from api.schemas.bodies import Body, text_field
from application.casework import AppealDraft
from domain import limits
from domain.appeal import Appellant
from domain.terms import Channel, Kind, Outcome, Rating, Tier, Urgency


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

    def draft(self) -> AppealDraft:
        """The appeal as the use case takes it."""
        return AppealDraft(
            channel=self.channel,
            kind=self.kind,
            category=self.category,
            title=self.title,
            text=self.text,
            department=self.department,
            tier=self.tier,
            urgency=self.urgency,
            appellant=self.appellant_value(),
            meeting_id=self.meeting_id,
        )


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

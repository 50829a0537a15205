"""The audit trail: every event of every aggregate, flattened into one row.

Auditors query it by case, actor, department, event type and time, and export it. Each row
says which case (type, reference), which version, what happened (event type and a one-line
summary), when, who in which role, which department it concerns, and the event's data.

Personal data never reaches the view in clear: the view is given it sealed
(`projections.sealed`) and keeps each value as `{"sealed": token}` in the data, and an
employee acting in person as their reference (`person:<ref>`, with the sealed id beside it).
Reads open what the policy lets the reader see (`api.personal_data`); once a person is
erased their values read as erased, and the rows themselves never change.
"""

from __future__ import annotations

import logging
import re
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache, cached_property, singledispatchmethod
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain.action_item import ActionItem
from domain.appeal import Appeal
from domain.calendar import CHINA_TZ
from domain.card import Card
from domain.collaboration_review import CollaborationReview
from domain.competition import Competition
from domain.golden_idea import IdeaReview
from domain.meeting import Meeting
from domain.penalty import Penalty
from domain.proposal import Proposal
from projections.scope import ReadScope
from projections.sealed import as_json, is_sealed, ref_of, token_of
from projections.view import View, ViewProjection

log = logging.getLogger("huiyin.projections.audit_trail")

#: The actor column of an employee acting in person: their reference after this prefix.
PERSON_ACTOR = "person:"

#: Events after which the case is with another department (later events concern that one).
MOVES_CASE: tuple[type[Any], ...] = (Appeal.Transferred, Appeal.Adopted)

#: Events whose department the case is not with: a raised appeal names the department it
#: concerns, and the union decides where it goes (`Appeal.parties`).
NAMES_ONLY: tuple[type[Any], ...] = (Appeal.Raised,)

#: Fields of a creation event that give the reference people know the case by.
REF_FIELDS = ("case_number", "decision_ref")

#: Library fields every event carries; the row has columns for them.
ENVELOPE = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor_id",
        "actor_role",
    }
)

EXPORT_CHUNK = 2_000
MAX_LIMIT = 500


class AuditEntry(NamedTuple):
    """One event as the audit trail records it (personal data sealed).

    A named tuple, not a frozen dataclass: as immutable, and made for every event of a
    rebuild in a quarter of the time (a frozen dataclass sets each field through
    `object.__setattr__`).
    """

    case_id: UUID
    case_type: str
    version: int
    event_type: str
    at: datetime
    actor_id: str
    actor_role: str
    department: str | None
    summary: str
    data: dict[str, Any]
    opens_case: bool = False
    ref: str | None = None
    moves_case: bool = False
    #: The department the event leaves the case with, for scoped reads (None: the one it
    #: was with). A raised appeal only names a department: it is with none until transferred,
    #: as `Appeal.parties` says.
    holding: str | None = None
    #: An employee acting in person: their id, sealed (`actor_id` is their reference).
    actor_token: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    """Which rows to read, oldest first; `after` continues after a position (the cursor)."""

    case_id: UUID | None = None
    case_type: str | None = None
    event_type: str | None = None
    actor_id: str | None = None
    #: Also the employee with this reference, acting in person (`PERSON_ACTOR`).
    actor_ref: str | None = None
    department: str | None = None
    occurred_from: datetime | None = None
    occurred_before: datetime | None = None
    after: int | None = None
    limit: int = 100
    scope: ReadScope | None = None  # None: every row


@dataclass(frozen=True)
class AuditRow:
    """One row of the audit trail."""

    position: int
    case_id: UUID
    case_type: str
    case_ref: str | None
    version: int
    event_type: str
    at: datetime
    actor_id: str
    actor_role: str
    department: str | None
    summary: str
    data: dict[str, Any]
    actor_token: str | None = None


@dataclass(frozen=True)
class AuditPage:
    """A page of rows and, when more follow, the position to continue after."""

    rows: list[AuditRow]
    next_after: int | None


class AuditTrailView(View):
    """Where the audit trail is kept and queried."""

    @abstractmethod
    def record(self, entry: AuditEntry, tracking: Tracking) -> None:
        """Adds the row of one event (and the case's reference, for a creation event)."""

    @abstractmethod
    def find(self, query: AuditQuery) -> AuditPage:
        """A page of rows matching the query, in position order."""

    @abstractmethod
    def case_trail(self, case_id: UUID, scope: ReadScope | None = None) -> list[AuditRow]:
        """Every row of one case the scope reaches, in order."""

    @abstractmethod
    def export_rows(self, query: AuditQuery) -> Iterator[AuditRow]:
        """Every row matching the query (its `limit` ignored), read in chunks as consumed.

        Stops at the view's position when the export started, so the export is one
        consistent cut of the trail however long the client takes to read it.
        """


class AuditTrail(ViewProjection):
    """Keeps the audit trail: one row per event of every aggregate."""

    name = "audit_trail"

    @cached_property
    def trail(self) -> AuditTrailView:
        """The view, typed (checked once: it is used for every event)."""
        return self.view_as(AuditTrailView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Whatever is not an aggregate's event (nothing Huiyin stores today)."""
        self.ignore(tracking)

    @process_event.register
    def _(self, event: Aggregate.Event, tracking: Tracking) -> None:
        self.trail.record(entry_of(event), tracking)


# -- flattening ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _EventClass:
    """What flattening needs to know of an event class, worked out once per class (a
    rebuild flattens every event of the log)."""

    case_type: str
    event_type: str
    opens_case: bool
    moves_case: bool
    summary: Summary | None
    names_only: bool = False


@cache
def _event_class(event_class: type[Any]) -> _EventClass:
    return _EventClass(
        case_type=case_type_of(event_class),
        event_type=event_class.__name__,
        opens_case=issubclass(event_class, Aggregate.Created),
        moves_case=issubclass(event_class, MOVES_CASE),
        names_only=issubclass(event_class, NAMES_ONLY),
        summary=next((SUMMARIES[c] for c in event_class.__mro__ if c in SUMMARIES), None),
    )


def entry_of(event: Aggregate.Event) -> AuditEntry:
    """The audit row of an event, its personal data sealed."""
    known = _event_class(type(event))
    actor: Any = getattr(event, "actor_id", "") or "unknown"
    actor_token = token_of(actor)
    actor_id = f"{PERSON_ACTOR}{ref_of(actor)}" if actor_token else str(actor)
    actor_role = str(getattr(event, "actor_role", "") or "unknown")
    opens = known.opens_case
    department = _text(getattr(event, "department", None))
    return AuditEntry(
        case_id=event.originator_id,
        case_type=known.case_type,
        version=event.originator_version,
        event_type=known.event_type,
        at=event.timestamp,
        actor_id=actor_id,
        actor_role=actor_role,
        department=department,
        summary=_summary(event, "an employee" if actor_token else actor_id, known.summary),
        data=data_of(event),
        opens_case=opens,
        ref=next((r for f in REF_FIELDS if (r := _text(getattr(event, f, None)))), None)
        if opens
        else None,
        moves_case=known.moves_case,
        holding=None if known.names_only else department,
        actor_token=actor_token,
    )


def case_type_of(event_class: type[Any]) -> str:
    """The snake_case name of the aggregate class the event is nested in (`IdeaReview` →
    `idea_review`), so aggregates added later need no change here."""
    parts = event_class.__qualname__.split(".")
    owner = parts[-2] if len(parts) > 1 else parts[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", owner).lower()


def data_of(event: Aggregate.Event) -> dict[str, Any]:
    """The event's own fields as JSON values, sealed ones as `{"sealed": token}`."""
    data: dict[str, Any] = {}
    for key, value in vars(event).items():
        if key in ENVELOPE:
            continue
        if type(value) in _AS_IS:  # most fields: nothing to convert
            data[key] = value
        else:
            data[key] = jsonable(value)
    return data


#: Types whose values are JSON values already (exactly these types: a str enum is not).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A JSON value for an event field (UUIDs, times and decimals as strings)."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if is_sealed(value):
        return as_json(value)
    return value


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


# -- summaries ----------------------------------------------------------------------------


def _day(value: Any) -> str:
    """A deadline (record or datetime) as the local date it falls on."""
    if isinstance(value, dict):
        value = datetime.fromisoformat(value["due"])
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date().isoformat()
    return "—"


def _deadline(value: Any) -> str:
    return f" (deadline {_day(value)})" if value else ""


Summary = Callable[[Any], str]

#: One line per known event type; others get "<Type> by <actor>". A summary names no
#: person and quotes no appellant (the sealed values are in the data).
SUMMARIES: dict[type[Any], Summary] = {
    Appeal.Raised: lambda e: (
        f"登记诉求 {e.case_number} ({e.channel}, {e.kind}"
        + (", 匿名)" if e.appellant is None else ")")
    ),
    Appeal.AnsweredOnSpot: lambda e: "现场答复",
    Appeal.Transferred: lambda e: f"转办至 {e.department}{_deadline(e.reply_deadline)}",
    Appeal.Retransferred: lambda e: (
        f"改派至 {e.department}: {e.reason}{_deadline(e.reply_deadline)}"
    ),
    Appeal.Acknowledged: lambda e: "承办部门受理",
    Appeal.Contacted: lambda e: "联系职工",
    Appeal.DeadlineExtended: lambda e: (
        f"延期至 {_day(e.reply_deadline)}: {e.reason} (approved by {e.approved_by})"
    ),
    Appeal.DeadlineMissed: lambda e: (
        f"逾期未{'首次响应' if e.deadline.get('act') == 'first_response' else '答复'}"
        f"{_deadline(e.deadline)}"
    ),
    Appeal.Replied: lambda e: f"{e.department} 答复",
    Appeal.ReplyPublished: lambda e: "公示答复意见",
    Appeal.Rated: lambda e: f"评价: {e.rating}",
    Appeal.Reopened: lambda e: f"重新办理: {e.reason}{_deadline(e.reply_deadline)}",
    Appeal.Adopted: lambda e: f"采纳, 交 {e.department} 落实",
    Appeal.Declined: lambda e: "不予采纳 (附论证说明)",
    Appeal.Closed: lambda e: f"办结 ({e.outcome})",
    Appeal.Withdrawn: lambda e: "撤回诉求",
    Meeting.Scheduled: lambda e: (
        f"安排会议「{e.topic}」({e.kind}) {_day(e.scheduled_for)} {e.place}".rstrip()
    ),
    Meeting.Invited: lambda e: (
        f"邀请 {len(e.participants)} 人"
        + (f", 部门 {'、'.join(e.departments)}" if e.departments else "")
    ),
    Meeting.Held: lambda e: f"会议召开, 出席 {len(e.attendees)} 人",
    Meeting.MinutesRecorded: lambda e: "记录会议纪要",
    Meeting.DecisionsRecorded: lambda e: f"记录 {len(e.decisions)} 项决定",
    Meeting.Published: lambda e: "会议公示",
    ActionItem.Created: lambda e: (
        f"协作事项 {e.decision_ref}: {e.task} → {e.department}{_deadline(e.deadline)}"
    ),
    ActionItem.ProgressReported: lambda e: "报告进展",
    ActionItem.SubmittedForAcceptance: lambda e: "提交验收",
    ActionItem.Accepted: lambda e: "验收通过",
    ActionItem.Rejected: lambda e: f"验收未通过: {e.reason}",
    ActionItem.MarkedOverdue: lambda e: f"逾期{_deadline(e.deadline)}",
    Proposal.Registered: lambda e: f"登记提案「{e.problem}」→ {e.department}",
    Proposal.AssignmentPublished: lambda e: "公布交办结果",
    Proposal.CompletionReported: lambda e: "报告办理结果",
    Penalty.Recorded: lambda e: (
        f"{e.department} 扣 {abs(e.points)} 分"
        f" ({e.rule_code} v{e.rule_version}, {e.case.get('ref', '')})"
    ),
    Penalty.Contested: lambda e: f"对扣分提出异议: {e.reason}",
    Penalty.ContestRejected: lambda e: f"异议不成立: {e.reason}",
    Penalty.Reversed: lambda e: f"撤销扣分: {e.reason}",
    Card.Issued: lambda e: (
        f"{ {'red': '红牌', 'yellow': '黄牌'}.get(e.colour, e.colour) } {e.department}"
        f" ({e.measure} {e.value}/{e.threshold}){_deadline(e.rectification_deadline)}"
    ),
    Card.Rectified: lambda e: "整改完成",
    Card.Escalated: lambda e: f"升级: {e.escalated_to}",
    IdeaReview.Opened: lambda e: f"金点子评审 {e.quarter}",
    IdeaReview.IdeaAdded: lambda e: f"纳入 {e.case_number} ({e.department})",
    IdeaReview.IdeaScored: lambda e: f"评分 (effect {e.effect}, benefit {e.benefit})",
    IdeaReview.ScoreCorrected: lambda e: f"更正评分: {e.reason}",
    IdeaReview.Decided: lambda e: f"确定奖励 {len(e.awards)} 项, 合计 {e.total_awarded}",
    IdeaReview.Published: lambda e: "评审结果公示",
    Competition.Opened: lambda e: f"竞赛「{e.name}」",
    Competition.ContestantRegistered: lambda e: f"报名 ({e.department})",
    Competition.ScoresSubmitted: lambda e: "提交评分",
    Competition.ScoreCorrected: lambda e: f"更正 {e.part}: {e.previous} → {e.score} ({e.reason})",
    Competition.Finalised: lambda e: f"公布排名 ({len(e.ranking)} 人)",
    CollaborationReview.Opened: lambda e: f"协作评价 {e.half_year} {e.department}",
    CollaborationReview.KpisRecorded: lambda e: "记录考核指标",
    CollaborationReview.Rated: lambda e: f"{e.side} 评分 {e.score}",
    CollaborationReview.RatingCorrected: lambda e: (
        f"更正 {e.side} 评分 {e.previous} → {e.score}: {e.reason}"
    ),
    CollaborationReview.Closed: lambda e: f"评价完成, 得分 {e.score}",
}


def summary_of(event: Aggregate.Event, actor_id: str) -> str:
    """A readable line: the event type's own summary, else "<Type> by <actor>"."""
    return _summary(event, actor_id, _event_class(type(event)).summary)


def _summary(event: Aggregate.Event, actor_id: str, summary: Summary | None) -> str:
    generic = f"{type(event).__name__} by {actor_id}"
    if summary is None:
        return generic
    try:
        return " ".join(summary(event).split())
    # An event stored before its class changed shape must not stop the view: the generic
    # line is still true, and the data column keeps everything the event holds.
    except (AttributeError, KeyError, TypeError, ValueError):
        log.warning("no summary for %s; using the generic one", type(event).__qualname__)
        return generic

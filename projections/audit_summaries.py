"""The audit trail's one-line summaries: one per known event type, in the words of the
people who read the trail. A summary names no person and quotes no appellant (the sealed
values are in the row's data)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

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

# The audit trail's logger, as when the summaries were part of it.
log = logging.getLogger("huiyin.projections.audit_trail")


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


def summary_for(event_class: type[Any]) -> Summary | None:
    """The summary of an event class: its own, or the nearest base class's (None: none)."""
    return next((SUMMARIES[c] for c in event_class.__mro__ if c in SUMMARIES), None)


def summary_of(event: Aggregate.Event, actor_id: str) -> str:
    """A readable line: the event type's own summary, else "<Type> by <actor>"."""
    return summary_line(event, actor_id, summary_for(type(event)))


def summary_line(event: Aggregate.Event, actor_id: str, summary: Summary | None) -> str:
    """The line `summary` makes of the event, else (none, or the event does not fit it)
    "<Type> by <actor>"."""
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

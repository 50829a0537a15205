"""What a reader calls each state and kind the workbench and department pages show
(Chinese, as the users say it; the catalogue translates). Keyed by the domain's values, so a
value the domain adds without a label shows as it is (`label`)."""

from __future__ import annotations

from collections.abc import Mapping

from domain.accountability_rules import RuleCode
from domain.card import CardColour
from domain.card_states import CardStatus
from domain.disclosure import SubjectType
from domain.disclosure_states import DisclosureStatus
from domain.meeting_terms import ActionItemStatus
from domain.monthly_report_states import ReportStatus
from domain.penalty_states import PenaltyStatus
from domain.terms import Kind, Status

APPEAL_STATUS: dict[str, str] = {
    Status.RAISED: "已登记",
    Status.ANSWERED: "现场答复",
    Status.TRANSFERRED: "已转办",
    Status.ACKNOWLEDGED: "办理中",
    Status.REPLIED: "已答复",
    Status.PUBLISHED: "已公示",
    Status.RATED: "已评价",
    Status.ADOPTED: "已采纳，落实中",
    Status.CLOSED: "已办结",
    Status.WITHDRAWN: "已撤回",
}
APPEAL_KIND: dict[str, str] = {
    Kind.QUESTION: "疑惑",
    Kind.COMPLAINT: "诉求",
    Kind.HARDSHIP: "困难",
    Kind.SUGGESTION: "建议",
}
ACTION_ITEM_STATUS: dict[str, str] = {
    ActionItemStatus.IN_PROGRESS: "办理中",
    ActionItemStatus.SUBMITTED: "待验收",
    ActionItemStatus.ACCEPTED: "已验收",
}
DISCLOSURE_STATUS: dict[str, str] = {
    DisclosureStatus.PROPOSED: "待审核",
    DisclosureStatus.RETURNED: "已退回",
    DisclosureStatus.APPROVED: "已审核",
    DisclosureStatus.PUBLISHED: "已公示",
    DisclosureStatus.WITHDRAWN: "已撤回",
}
SUBJECT_TYPE: dict[str, str] = {
    SubjectType.APPEAL_ANSWER: "诉求答复意见",
    SubjectType.MEETING_MINUTES: "会议纪要与决议",
    SubjectType.ACTION_ITEMS: "协作事项清单及完成情况",
    SubjectType.PROPOSAL_ASSIGNMENT: "职代会提案交办",
    SubjectType.GOLDEN_IDEA_AWARDS: "金点子奖励",
    SubjectType.MONTHLY_REPORT: "月度报告",
    SubjectType.PENALTIES_AND_CARDS: "考核扣分与红黄牌",
    SubjectType.FUND_STATEMENT: "工会经费收支明细",
    SubjectType.AWARD_PROCEDURE: "评优评先流程",
}
PENALTY_STATUS: dict[str, str] = {
    PenaltyStatus.RECORDED: "已记录",
    PenaltyStatus.CONTESTED: "申诉中",
    PenaltyStatus.UPHELD: "申诉驳回，维持",
    PenaltyStatus.REVERSED: "已撤销",
}
PENALTY_RULE: dict[str, str] = {
    RuleCode.OVERDUE_REPLY: "逾期未办理",
    RuleCode.OVERDUE_RESPONSE: "逾期未响应",
    RuleCode.PERFUNCTORY_HANDLING: "搪塞应付、推诿扯皮",
    RuleCode.ABSENT_FROM_TALK: "慧谈不派人参加",
    RuleCode.LATE_MONTHLY_REPORT: "月度思想动态分析报告未按时报送",
}
CARD_COLOUR: dict[str, str] = {CardColour.YELLOW: "黄牌", CardColour.RED: "红牌"}
CARD_STATUS: dict[str, str] = {
    CardStatus.OPEN: "限期整改中",
    CardStatus.CLEARED: "已整改销号",
    CardStatus.ESCALATED: "逾期未整改，已升级",
}
REPORT_STATUS: dict[str, str] = {ReportStatus.DRAFTED: "草稿", ReportStatus.FILED: "已报送"}

#: Every table by the name templates use: `label("appeal", row.status)`.
LABELS: Mapping[str, Mapping[str, str]] = {
    "appeal": APPEAL_STATUS,
    "kind": APPEAL_KIND,
    "action_item": ACTION_ITEM_STATUS,
    "disclosure": DISCLOSURE_STATUS,
    "subject": SUBJECT_TYPE,
    "penalty": PENALTY_STATUS,
    "rule": PENALTY_RULE,
    "colour": CARD_COLOUR,
    "card": CARD_STATUS,
    "report": REPORT_STATUS,
}


def label(table: str, value: str | None) -> str:
    """The Chinese label of `value` in `table` (the value itself if it has none)."""
    if value is None:
        return ""
    return LABELS[table].get(value, value)

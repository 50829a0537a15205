"""What an appeal's values are called on the pages (Chinese; the catalogue translates): its
states, channels, kinds, ratings, outcomes, the events of its history and their fields.

The states and kinds are the workbench's (`api.web.state_labels`), the channel and tier names
the domain's own (`domain.monthly_report_text`, the words the monthly report prints); the
rest are the words of DOMAIN.md. Presentation only: which value
exists, and what it allows, stays with `domain.terms` and `domain.appeal_states`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from api.personal_data import APPELLANT, HIDDEN
from api.web.i18n import Translate
from api.web.state_labels import APPEAL_KIND as KIND_LABELS
from api.web.state_labels import APPEAL_STATUS as STATUS_LABELS
from domain.actors import ANONYMOUS_ACTOR_ID
from domain.monthly_report_text import CHANNEL_LABELS, TIER_LABELS
from domain.terms import Outcome, Rating, Status, Urgency

#: How a state's badge looks: done (ok), waiting on someone (warn), or neither.
STATUS_BADGES: Mapping[str, str] = {
    Status.TRANSFERRED: "warn",
    Status.ACKNOWLEDGED: "warn",
    Status.ADOPTED: "warn",
    Status.PUBLISHED: "ok",
    Status.RATED: "ok",
    Status.CLOSED: "ok",
}

URGENCY_LABELS: Mapping[str, str] = {
    Urgency.NORMAL: "一般",
    Urgency.HIGH: "较急",
    Urgency.CRITICAL: "紧急",
}

RATING_LABELS: Mapping[str, str] = {
    Rating.SATISFIED: "满意",
    Rating.BASICALLY_SATISFIED: "基本满意",
    Rating.DISSATISFIED: "不满意",
}

OUTCOME_LABELS: Mapping[str, str] = {
    Outcome.RESOLVED: "已解决",
    Outcome.EXPLAINED: "已解释说明",
    Outcome.DECLINED: "不予采纳",
}

#: The events of an appeal's history, by class name.
EVENT_LABELS: Mapping[str, str] = {
    "Raised": "提出诉求",
    "AnsweredOnSpot": "现场答复",
    "Transferred": "转办",
    "Retransferred": "再次转办",
    "Acknowledged": "责任部门响应",
    "Contacted": "联系诉求人",
    "DeadlineExtended": "延长答复时限",
    "DeadlineMissed": "逾期未办",
    "Replied": "责任部门答复",
    "ReplyPublished": "公示答复",
    "Rated": "诉求人评价",
    "Reopened": "重新办理",
    "Adopted": "采纳建议",
    "Declined": "不予采纳",
    "Closed": "办结",
    "Withdrawn": "撤回",
}

#: The fields of those events a history shows, in this order; others are not shown
#: (the receipt's digest, the appellant's own words already on the page).
EVENT_FIELDS: Mapping[str, str] = {
    "channel": "渠道",
    "kind": "类型",
    "tier": "慧谈层级",
    "urgency": "紧急程度",
    "appellant": "诉求人",
    "department": "部门",
    "supervisor": "督办员",
    "supervisor_reason": "更换督办员的理由",
    "reason": "理由",
    "note": "备注",
    "answer": "答复",
    "basis": "依据",
    "public_text": "公示内容",
    "rating": "评价",
    "comment": "意见",
    "plan": "落实方案",
    "explanation": "论证说明",
    "outcome": "办结结果",
    "approved_by": "批准人",
    "reply_deadline": "答复时限",
    "response_deadline": "首次响应时限",
    "deadline": "时限",
}

#: Values of those fields that are one of a closed set, by field.
VALUE_LABELS: Mapping[str, Mapping[str, str]] = {
    "channel": CHANNEL_LABELS,
    "kind": KIND_LABELS,
    "tier": TIER_LABELS,
    "urgency": URGENCY_LABELS,
    "rating": RATING_LABELS,
    "outcome": OUTCOME_LABELS,
}

#: What stands for a value the reader may not see, and for the appellant acting on their
#: own appeal (`api.personal_data`), as pages say it.
SHOWN_PLACEHOLDERS: Mapping[str, str] = {
    HIDDEN: "已隐藏",
    APPELLANT: "诉求人本人",
    ANONYMOUS_ACTOR_ID: "匿名诉求人",
}

#: The deadline rules of an appeal (`domain.deadlines`) as pages say them; `{n}` is the
#: number the deadline's own basis names (the rule's amount when the deadline was set).
RULE_LABELS: Mapping[str, str] = {
    "reply.default": "转办后{n}个工作日内答复",
    "reply.explicit": "指定的答复时限",
    "reply.extended": "经批准延长的答复时限",
    "response.urgent-48h": "{n}小时内首次响应",
    "response.grid-liaison": "{n}小时内首次响应",
    "response.performance-review": "{n}个工作日内启动复核",
}
_AMOUNT = re.compile(r"\d+")


class Ruled(Protocol):
    """A deadline as it is read: the rule that set it, and that rule in words."""

    @property
    def rule(self) -> str:
        """The rule's name."""

    @property
    def basis(self) -> str:
        """The rule in words (English), with its amount."""


def deadline_basis(deadline: Ruled, _: Translate) -> str:
    """The rule that set a deadline, in the reader's language (its own words if unknown)."""
    label = RULE_LABELS.get(deadline.rule)
    amount = _AMOUNT.search(deadline.basis)
    if label is None or ("{n}" in label and amount is None):
        return deadline.basis
    return _(label).format(n=amount.group(0) if amount else "")


#: Everything a template needs, under one name.
TERMS = {
    "status": STATUS_LABELS,
    "badge": STATUS_BADGES,
    "channel": CHANNEL_LABELS,
    "kind": KIND_LABELS,
    "tier": TIER_LABELS,
    "urgency": URGENCY_LABELS,
    "rating": RATING_LABELS,
    "outcome": OUTCOME_LABELS,
    "event": EVENT_LABELS,
}

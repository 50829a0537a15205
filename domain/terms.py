"""The closed sets of the appeal domain, with the Chinese words the users use."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How an appeal arrived."""

    TALK_SESSION = "talk_session"  # 慧谈
    URGENT = "urgent"  # 48小时响应通道
    GRID_LIAISON = "grid_liaison"  # 网格联络员
    DEPARTMENT_LIAISON = "department_liaison"  # 部门联络员
    ANONYMOUS_BOX = "anonymous_box"  # 匿名意见箱
    RECEPTION_DAY = "reception_day"  # 书记接待日
    CONGRESS_PROPOSAL = "congress_proposal"  # 职代会提案
    PERFORMANCE_APPEAL = "performance_appeal"  # 绩效申诉
    LEGAL_CLINIC = "legal_clinic"  # 法律门诊


#: Channels where the appellant is present and can be answered on the spot.
FACE_TO_FACE = frozenset(
    {
        Channel.TALK_SESSION,
        Channel.RECEPTION_DAY,
        Channel.LEGAL_CLINIC,
        Channel.GRID_LIAISON,
        Channel.DEPARTMENT_LIAISON,
    }
)


class Kind(StrEnum):
    """What the appellant brings."""

    QUESTION = "question"  # 疑惑
    COMPLAINT = "complaint"  # 诉求
    HARDSHIP = "hardship"  # 困难
    SUGGESTION = "suggestion"  # 建议 / 合理化建议 / 金点子


class Tier(StrEnum):
    """The eight tiers of the eight-tier talks (八级慧谈)."""

    WORKERS = "workers"  # 职工
    PARTY_MEMBERS = "party_members"  # 党员
    SAFETY_MONITORS = "safety_monitors"  # 群监员/青安岗
    TEAM_LEADERS = "team_leaders"  # 班组长
    SAFETY_INSPECTORS = "safety_inspectors"  # 安监员
    DEPUTY_HEADS = "deputy_heads"  # 副区长/技术员
    DISTRICT_HEADS = "district_heads"  # 区长书记
    FUNCTIONAL_OFFICES = "functional_offices"  # 生产职能科室


class Urgency(StrEnum):
    """How pressing the appellant's matter is."""

    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Status(StrEnum):
    """Where an appeal stands in its lifecycle."""

    RAISED = "raised"  # 已登记
    ANSWERED = "answered"  # 现场答复
    TRANSFERRED = "transferred"  # 已转办
    ACKNOWLEDGED = "acknowledged"  # 已响应，办理中
    REPLIED = "replied"  # 已答复
    PUBLISHED = "published"  # 已公示
    RATED = "rated"  # 已评价
    ADOPTED = "adopted"  # 已采纳，落实中
    CLOSED = "closed"  # 已办结
    WITHDRAWN = "withdrawn"  # 已撤回


class Rating(StrEnum):
    """The appellant's satisfaction with the answer."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class Outcome(StrEnum):
    """How a closed appeal ended."""

    RESOLVED = "resolved"  # 已解决
    EXPLAINED = "explained"  # 已解释说明
    DECLINED = "declined"  # 不予采纳（附论证说明）

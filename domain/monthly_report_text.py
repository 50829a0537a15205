"""The draft text of a monthly thought-dynamics report, written in Chinese from its figures.

The union office edits the sentiment, measures and risks sections before filing; the
overview always says what the figures say.
"""

from __future__ import annotations

from enum import StrEnum

from domain.meeting_terms import MeetingKind
from domain.monthly_figures import MonthlyFigures, ReportMonth
from domain.terms import Channel, Tier


class Section(StrEnum):
    """The sections of the report."""

    OVERVIEW = "overview"  # 总体情况: generated from the figures
    SENTIMENT = "sentiment"  # 职工思想动态
    MEASURES = "measures"  # 工作措施
    RISKS = "risks"  # 风险研判


#: The sections the union office writes; the overview follows the figures.
EDITABLE = frozenset({Section.SENTIMENT, Section.MEASURES, Section.RISKS})

TIER_LABELS = {
    Tier.WORKERS.value: "职工",
    Tier.PARTY_MEMBERS.value: "党员",
    Tier.SAFETY_MONITORS.value: "群监员/青安岗",
    Tier.TEAM_LEADERS.value: "班组长",
    Tier.SAFETY_INSPECTORS.value: "安监员",
    Tier.DEPUTY_HEADS.value: "副区长/技术员",
    Tier.DISTRICT_HEADS.value: "区长书记",
    Tier.FUNCTIONAL_OFFICES.value: "生产职能科室",
}
TALK_LABELS = {
    MeetingKind.TOPICAL_TALK.value: "专题慧谈",
    MeetingKind.PROFESSIONAL_TALK.value: "专业慧谈",
    MeetingKind.MILESTONE_TALK.value: "节点慧谈",
    MeetingKind.REMOTE_TALK.value: "云上慧谈",
}
CHANNEL_LABELS = {
    Channel.TALK_SESSION.value: "慧谈",
    Channel.URGENT.value: "48小时响应通道",
    Channel.GRID_LIAISON.value: "网格联络员",
    Channel.DEPARTMENT_LIAISON.value: "部门联络员",
    Channel.ANONYMOUS_BOX.value: "匿名意见箱",
    Channel.RECEPTION_DAY.value: "书记接待日",
    Channel.CONGRESS_PROPOSAL.value: "职代会提案",
    Channel.PERFORMANCE_APPEAL.value: "绩效申诉",
    Channel.LEGAL_CLINIC.value: "法律门诊",
}


def draft_sections(figures: MonthlyFigures) -> dict[Section, str]:
    """Every section of the report, drafted from the figures."""
    return {
        Section.OVERVIEW: overview(figures),
        Section.SENTIMENT: sentiment(figures),
        Section.MEASURES: measures(figures),
        Section.RISKS: risks(figures),
    }


def overview(f: MonthlyFigures) -> str:
    """总体情况: talks, appeals, answers, satisfaction, overdue cases and penalties."""
    month = ReportMonth.parse(f.month).label
    tiers = _listing(f.tier_talks, TIER_LABELS, "场")
    specials = _listing(f.special_talks, TALK_LABELS, "场")
    talks = f"{month}共开展慧谈{f.talks_held}场"
    if f.talks_held:
        talks += f"（八级慧谈：{tiers or '无'}；专项慧谈：{specials or '无'}）"
    channels = _listing(f.appeals_by_channel, CHANNEL_LABELS, "件")
    appeals = f"收集职工诉求{f.appeals_raised}件"
    if f.appeals_raised:
        appeals += f"（按渠道：{channels}）"
    rate = f"，满意率{f.satisfaction_percent}%" if f.satisfaction_percent is not None else ""
    answers = (
        f"本月答复诉求{f.answered}件，解决{f.resolved}件；职工评价{f.rated}件，"
        f"其中满意及基本满意{f.satisfied}件{rate}"
    )
    overdue = (
        f"逾期未办理诉求{len(f.overdue_appeals)}件，逾期协作事项{f.overdue_action_items_total}项，"
        f"因不满意重新办理诉求{len(f.reopened_appeals)}件"
    )
    penalties = f"考核扣分合计{-f.penalty_points}分"
    if f.penalties:
        by_department = "，".join(
            f"{department}{-tally.points}分" for department, tally in f.penalties.items()
        )
        penalties += f"（{by_department}）"
    return "；".join([f"{talks}，{appeals}", answers, overdue, penalties]) + "。"


def sentiment(f: MonthlyFigures) -> str:
    """职工思想动态: what employees raised most, by category and tier."""
    if not f.appeals_raised:
        return "本月未收集到职工诉求，职工思想总体平稳。"
    top = "，".join(
        f"“{category}”类{n}件" for category, n in list(f.appeals_by_category.items())[:5]
    )
    text = f"职工关注的问题主要集中在：{top}。"
    if f.appeals_by_tier:
        text += f"慧谈中各层级反映诉求：{_listing(f.appeals_by_tier, TIER_LABELS, '件')}。"
    return text


def measures(f: MonthlyFigures) -> str:
    """工作措施: what follows from the figures, for the union office to complete."""
    steps = []
    if f.overdue_appeals:
        steps.append(f"督促责任部门对逾期诉求（{'、'.join(f.overdue_appeals)}）限期答复")
    if f.reopened_appeals:
        steps.append(f"对重新办理的诉求（{'、'.join(f.reopened_appeals)}）跟踪督办")
    if f.overdue_action_items:
        steps.append(f"对逾期协作事项（{_listing(f.overdue_action_items, {}, '项')}）限期整改")
    unresolved = f.appeals_raised - f.resolved
    if unresolved > 0:
        steps.append("对未解决的诉求逐件跟踪，做到事事有回音、件件有着落")
    if not steps:
        steps.append("继续做好慧谈组织和诉求办理，保持答复及时、办理到位")
    return "；".join(steps) + "。"


def risks(f: MonthlyFigures) -> str:
    """风险研判: the categories rising fastest and appeals reopened again and again."""
    lines = []
    for rise in f.rising_categories:
        growth = f"，增长{rise.growth_percent}%" if rise.growth_percent is not None else ""
        lines.append(f"“{rise.category}”类诉求{rise.count}件，较上月增加{rise.growth}件{growth}")
    for case in f.repeated_reopenings:
        lines.append(f"诉求{case.case_number}已{case.reopenings}次重新办理")
    if not lines:
        return "本月未发现诉求类别明显上升或反复重开的案件。"
    return "；".join(lines) + "，需重点关注。"


def _listing(counts: dict[str, int], labels: dict[str, str], unit: str) -> str:
    return "，".join(f"{labels.get(key, key)}{n}{unit}" for key, n in counts.items())

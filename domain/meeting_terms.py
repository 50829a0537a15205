"""The closed sets of meetings, action items and congress proposals (会议与决议)."""

from __future__ import annotations

from enum import StrEnum


class MeetingKind(StrEnum):
    """What kind of meeting it is."""

    TIER_TALK = "tier_talk"  # 八级慧谈: a talk with one of the eight tiers
    TOPICAL_TALK = "topical_talk"  # 专题慧谈
    PROFESSIONAL_TALK = "professional_talk"  # 专业慧谈
    MILESTONE_TALK = "milestone_talk"  # 节点慧谈
    REMOTE_TALK = "remote_talk"  # 云上慧谈: by video, for remote sites
    JOINT_MEETING = "joint_meeting"  # 季度联席会: HR and union, quarterly
    CONGRESS = "congress"  # 职代会: the workers' congress
    COUNCIL = "council"  # 职工议事会: one representative per department

    @property
    def is_talk(self) -> bool:
        """Whether this is a talk session (a tier talk or a special talk)."""
        return self in TALKS


#: Talk sessions: small (at most ten participants), and appeals may be raised at them.
TALKS = frozenset(
    {
        MeetingKind.TIER_TALK,
        MeetingKind.TOPICAL_TALK,
        MeetingKind.PROFESSIONAL_TALK,
        MeetingKind.MILESTONE_TALK,
        MeetingKind.REMOTE_TALK,
    }
)


class MeetingStatus(StrEnum):
    """Where a meeting stands."""

    SCHEDULED = "scheduled"  # 已安排
    INVITED = "invited"  # 已邀请
    HELD = "held"  # 已召开
    MINUTES_RECORDED = "minutes_recorded"  # 已形成纪要
    DECISIONS_RECORDED = "decisions_recorded"  # 已形成决议
    PUBLISHED = "published"  # 已公布


class ActionItemStatus(StrEnum):
    """Where an action item stands."""

    IN_PROGRESS = "in_progress"  # 办理中
    SUBMITTED = "submitted"  # 待验收
    ACCEPTED = "accepted"  # 已验收


class ProposalStatus(StrEnum):
    """Where a congress proposal stands."""

    REGISTERED = "registered"  # 已立案
    ASSIGNED = "assigned"  # 已交办
    COMPLETED = "completed"  # 已办结并反馈

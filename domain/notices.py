"""Notices: what Huiyin tells people outside it, and through what.

A notice is decided once, from the events (an overdue deadline, a published answer, an issued
card) or from the time (a reminder before a deadline), and recorded in the outbox with one
delivery per endpoint that wants it (docs/webhooks.md). Receivers are told each notice under
its own id (`webhook-id`), the same on every retry, so they can drop duplicates.
"""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """What a notice is about; an endpoint subscribes to kinds."""

    REMINDER = "reminder"  # a deadline is near (催办): to the department that owes the act
    OVERDUE = "overdue"  # a deadline passed without its act (逾期)
    PUBLISHED = "published"  # an appeal's answer was published (公示答复意见)
    MEETING_PUBLISHED = "meeting_published"  # a meeting's item list / minutes were published
    DISCLOSURE = "disclosure"  # a disclosure (公示) was published after committee review
    CARD = "card"  # a red or yellow card was issued (红黄牌预警)


#: What an appellant is told when their answer is published; not an endpoint's subscription.
APPELLANT_ANSWER = "appellant_answer"


class EndpointFormat(StrEnum):
    """How a notice is put to an endpoint."""

    STANDARD = "standard"  # JSON, signed per Standard Webhooks (webhook-id/-timestamp/-signature)
    WECOM = "wecom"  # 企业微信群机器人: markdown message to the robot's URL (its key in the URL)
    DINGTALK = "dingtalk"  # 钉钉自定义机器人: markdown message, URL signed with the robot's secret
    EMAIL = "email"  # e-mail through the SMTP server in settings


class DeliveryStatus(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"  # to be sent (now, or at its next attempt after a failure)
    DELIVERED = "delivered"  # the receiver answered 2xx (the SMTP server accepted it)
    DEAD = "dead"  # given up after the retry window; admin may replay it
    DROPPED = "dropped"  # nothing may be sent any more (endpoint removed, recipient erased)

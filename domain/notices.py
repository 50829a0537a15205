"""Notices: what Huiyin tells people outside it, and through what.

A notice is decided once, from the events (an overdue deadline, a published answer, an issued
card) or from the time (a reminder before a deadline), and recorded in the outbox with one
delivery per endpoint that wants it (docs/webhooks.md). Receivers are told each notice under
its own id (`webhook-id`), the same on every retry, so they can drop duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid3, uuid5


class NoticeKind(StrEnum):
    """What a notice is about; an endpoint subscribes to kinds."""

    REMINDER = "reminder"  # a deadline is near (催办): to the department that owes the act
    OVERDUE = "overdue"  # a deadline passed without its act (逾期)
    PUBLISHED = "published"  # an appeal's answer was published (公示答复意见)
    MEETING_PUBLISHED = "meeting_published"  # a meeting's item list / minutes were published
    DISCLOSURE = "disclosure"  # a disclosure (公示) was published after committee review
    CARD = "card"  # a red or yellow card was issued (红黄牌预警)


class SystemNoticeKind(StrEnum):
    """A notice no endpoint subscribes to: an admin's test of one endpoint, sent to it alone
    whatever its kinds and filters (`POST /webhooks/{id}/test`). Kept apart from
    `NoticeKind` so that registration goes on refusing it as a subscription."""

    TEST = "test"  # 【测试】: does the endpoint receive, and verify, what Huiyin sends?


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


#: The namespace of notice ids: a notice's id is uuid5(NOTICE_NAMESPACE, its key), so the
#: same decision made twice (a restart, a second instance) names the same notice.
NOTICE_NAMESPACE = UUID("6f1c2a52-4e0b-5d8a-9b7e-2f6c1e9d4a10")

#: A delivery's id is uuid3(notice id, the endpoint's id, or this for the appellant's e-mail):
#: version 3 (md5) because the outbox's SQL makes it, and PostgreSQL has md5 but not sha1.
APPELLANT = "appellant"


def notice_id(key: str) -> UUID:
    """The id of the notice with this key."""
    return uuid5(NOTICE_NAMESPACE, key)


def delivery_id(notice: UUID, recipient: UUID | str) -> UUID:
    """The id of a notice's delivery to an endpoint (its id) or to the appellant."""
    return uuid3(notice, str(recipient))


@dataclass(frozen=True)
class Notice:
    """A notice as decided, before the outbox records it (references only, never personal
    data). `department` / `tier` are what endpoints' filters match; when None, the case
    index's are used (and `fallback_department` if it has none either)."""

    key: str
    kind: NoticeKind | SystemNoticeKind
    occurred_at: datetime
    case_id: UUID | None = None
    case_type: str | None = None
    department: str | None = None
    tier: str | None = None
    position: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    fallback_department: str | None = None
    #: Whether the appellant is to be told too (an answer published).
    to_appellant: bool = False
    #: Sent to this endpoint alone (if not removed), whatever its kinds and filters: a test.
    endpoint_id: UUID | None = None

    @property
    def id(self) -> UUID:
        """The notice's id (from its key)."""
        return notice_id(self.key)

"""What a notice says to people and to machines, and how each format signs and lays it out.

Pure: no I/O. A `Message` is made once per delivery (by `application.notice_delivery`, which
decides what personal data it may carry) and put into the endpoint's format here:
- standard: a JSON body `{"type": "huiyin.<kind>", "timestamp", "data"}` signed per Standard
  Webhooks (https://www.standardwebhooks.com): headers `webhook-id`, `webhook-timestamp`
  (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
  `"<id>.<timestamp>.<body>"` under the secret's bytes: what follows `whsec_`, base64-decoded);
- wecom (企业微信群机器人) and dingtalk (钉钉自定义机器人): a markdown message; a DingTalk robot
  with a `SEC…` secret gets `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of
  "<ms>\\n<secret>">` on its URL;
- email: a subject and a plain text.
The id a receiver sees (`webhook-id`) is the notice's: the same on every retry and endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus
from uuid import UUID

from domain.calendar import CHINA_TZ
from domain.notices import APPELLANT_ANSWER, EndpointFormat, NoticeKind, SystemNoticeKind

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret

#: The tag each kind's text starts with, for people reading a group chat or an inbox.
TAGS: Mapping[str, str] = {
    NoticeKind.REMINDER: "【催办】",
    NoticeKind.OVERDUE: "【逾期】",
    NoticeKind.PUBLISHED: "【答复公示】",
    NoticeKind.MEETING_PUBLISHED: "【会议公布】",
    NoticeKind.DISCLOSURE: "【公示】",
    NoticeKind.CARD: "【红黄牌预警】",
    APPELLANT_ANSWER: "【答复】",
    SystemNoticeKind.TEST: "【测试】",
}

#: What must be done by a deadline (`domain.deadlines.DeadlineAct` values), in words.
ACTS: Mapping[str, str] = {
    "first_response": "首次响应",
    "reply": "答复",
    "hold": "召开会议",
    "publish": "公布",
    "file": "报送月度报告",
}

CASE_TYPES: Mapping[str, str] = {
    "appeal": "诉求",
    "meeting": "会议",
    "action_item": "督办事项",
    "proposal": "提案",
    "disclosure": "公示",
    "card": "红黄牌",
}


@dataclass(frozen=True)
class Notice:
    """A notice as the outbox holds it: references only, never personal data."""

    id: UUID
    kind: str
    occurred_at: datetime
    case_id: UUID | None = None
    case_type: str | None = None
    department: str | None = None
    tier: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def case_number(self) -> str:
        """The case's readable number (or ref), or its id when the notice names none."""
        case = self.payload.get("case")
        number = case.get("number") if isinstance(case, Mapping) else None
        return str(number or self.case_id or "")


@dataclass(frozen=True)
class Message:
    """What one delivery says: a headline and lines for people, `data` for machines."""

    webhook_id: str
    kind: str
    occurred_at: datetime
    headline: str
    lines: tuple[str, ...] = ()
    link: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def webhook_id(notice_id: UUID) -> str:
    """The `webhook-id` of a notice: the same on every retry and for every endpoint."""
    return f"msg_{notice_id.hex}"


def headline(notice: Notice) -> str:
    """The notice's first line, in Chinese, tagged by kind (e.g. 【催办】…)."""
    tag = TAGS.get(notice.kind, "【通知】")
    what = CASE_TYPES.get(notice.case_type or "", "事项")
    number = notice.case_number
    act = ACTS.get(str(notice.payload.get("act", "")), "办理")
    due = _local(notice.payload.get("due_at"))
    if notice.kind == NoticeKind.REMINDER:
        return f"{tag}{what} {number} 的{act}将于 {due} 到期，请及时办理"
    if notice.kind == NoticeKind.OVERDUE:
        return f"{tag}{what} {number} 的{act}已逾期（期限 {due}）"
    if notice.kind == NoticeKind.PUBLISHED:
        return f"{tag}诉求 {number} 的答复意见已公示"
    if notice.kind == NoticeKind.MEETING_PUBLISHED:
        return f"{tag}会议 {number} 已公布"
    if notice.kind == NoticeKind.DISCLOSURE:
        return f"{tag}{number} 已公示"
    if notice.kind == NoticeKind.CARD:
        return f"{tag}{notice.department or ''} 收到{_card(notice)}"
    if notice.kind == SystemNoticeKind.TEST:
        return f"{tag}这是回音发出的测试消息：收到即说明此接收端配置正确"
    if notice.kind == APPELLANT_ANSWER:
        return f"{tag}您反映的诉求 {number} 已有答复意见"
    return f"{tag}{what} {number}"


def facts(notice: Notice) -> tuple[str, ...]:
    """The lines every audience may read: department, tier, deadline (no personal data)."""
    lines = []
    if notice.department:
        lines.append(f"责任部门：{notice.department}")
    if notice.tier:
        lines.append(f"层级：{notice.tier}")
    if notice.payload.get("due_at"):
        lines.append(f"期限：{_local(notice.payload.get('due_at'))}")
    asked = notice.payload.get("requested_by")
    if notice.kind == SystemNoticeKind.TEST and isinstance(asked, Mapping):
        lines.append(f"发起：{asked.get('id')}（{asked.get('role')}）")
        lines.append(f"时间：{_local(notice.payload.get('requested_at'))}")
    return tuple(lines)


def link(public_url: str | None, notice: Notice) -> str | None:
    """Where people open the case in Huiyin (None without `public_url` or a case)."""
    if not public_url or notice.case_id is None:
        return None
    base = public_url.rstrip("/")
    if notice.case_type == "appeal":
        return f"{base}/appeals/{notice.case_id}"
    return f"{base}/audit/cases/{notice.case_id}"


# -- formats ------------------------------------------------------------------------------


def json_body(message: Message) -> bytes:
    """The generic JSON body (Standard Webhooks' suggested shape)."""
    body = {
        "type": f"huiyin.{message.kind}",
        "timestamp": message.occurred_at.isoformat(),
        "data": {**message.data, "text": message.headline, "link": message.link},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def markdown_text(message: Message) -> str:
    """The message as markdown, for a robot in a group chat."""
    parts = [f"**{message.headline}**", *(f"> {line}" for line in message.lines)]
    if message.link:
        parts.append(f"[在回音中查看]({message.link})")
    return "\n".join(parts)


def robot_body(message: Message, form: EndpointFormat) -> bytes:
    """A WeCom or DingTalk robot's markdown message."""
    if form is EndpointFormat.WECOM:
        body: dict[str, Any] = {
            "msgtype": "markdown",
            "markdown": {"content": markdown_text(message)},
        }
    else:
        markdown = {"title": message.headline[:64], "text": markdown_text(message)}
        body = {"msgtype": "markdown", "markdown": markdown}
    return json.dumps(body, ensure_ascii=False).encode()


def email(message: Message) -> tuple[str, str]:
    """The e-mail's subject and plain text."""
    text = [message.headline, "", *message.lines]
    if message.link:
        text += ["", f"查看：{message.link}"]
    text += ["", "——回音（此邮件由系统发送，请勿直接回复）"]
    return message.headline, "\n".join(text) + "\n"


# -- signatures ---------------------------------------------------------------------------


def secret_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: the base64 after `whsec_`."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of id.timestamp.body."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def standard_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_signature(secret, msg_id, timestamp, body),
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """A DingTalk robot's `sign` parameter (urlencoded) for a timestamp in milliseconds."""
    signed = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, secret: str | None, timestamp_ms: int) -> str:
    """A DingTalk robot's URL, signed when it has a secret."""
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def _local(value: object) -> str:
    """An ISO time from a payload, as people in China read it (YYYY-MM-DD HH:MM)."""
    if not isinstance(value, str) or not value:
        return "（未定）"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _card(notice: Notice) -> str:
    colour = str(notice.payload.get("colour") or notice.payload.get("color") or "")
    return {"red": "红牌", "yellow": "黄牌"}.get(colour, "红黄牌预警")

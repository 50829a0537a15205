"""Signing and laying out notices: Standard Webhooks, DingTalk's signed URL, robots, e-mail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from domain.notices import EndpointFormat, NoticeKind, SystemNoticeKind
from domain.webhook_messages import (
    Message,
    Notice,
    dingtalk_url,
    email,
    facts,
    headline,
    json_body,
    link,
    robot_body,
    standard_headers,
    standard_signature,
    webhook_id,
)

NOTICE_ID = UUID("0b8e4f3a-2a1c-4d7e-9f00-123456789abc")
CASE_ID = UUID("11111111-2222-3333-4444-555555555555")


def reminder() -> Notice:
    return Notice(
        id=NOTICE_ID,
        kind=NoticeKind.REMINDER,
        occurred_at=datetime(2026, 12, 7, 1, 0, tzinfo=UTC),
        case_id=CASE_ID,
        case_type="appeal",
        department="生产部",
        payload={
            "case": {"number": "HY-2026-000042"},
            "act": "reply",
            "due_at": "2026-12-09T09:00:00+00:00",
            "lead": "2wd",
        },
    )


def test_signature_matches_the_standard_webhooks_published_vector() -> None:
    signature = standard_signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_headers_carry_the_id_the_timestamp_and_the_signature() -> None:
    headers = standard_headers("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1700000000, b"{}")
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"].startswith("v1,")


def test_a_notice_is_told_under_one_id_on_every_retry_and_endpoint() -> None:
    assert webhook_id(NOTICE_ID) == "msg_0b8e4f3a2a1c4d7e9f00123456789abc"


def test_dingtalk_url_is_signed_with_the_millisecond_timestamp_and_secret() -> None:
    secret = "SECabc123"
    url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=t", secret, 1700000000123)
    query = parse_qs(urlsplit(url).query)
    assert query["access_token"] == ["t"]
    assert query["timestamp"] == ["1700000000123"]
    expected = hmac.new(secret.encode(), b"1700000000123\nSECabc123", hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(expected).decode()]


def test_a_dingtalk_robot_without_a_secret_keeps_its_url() -> None:
    assert (
        dingtalk_url("https://x/robot?access_token=t", None, 1) == "https://x/robot?access_token=t"
    )


def test_a_reminder_reads_as_a_chinese_reminder_with_its_deadline_in_china_time() -> None:
    text = headline(reminder())
    assert text.startswith("【催办】")
    assert "HY-2026-000042" in text
    assert "2026-12-09 17:00" in text


def test_an_overdue_notice_is_tagged_overdue() -> None:
    notice = Notice(NOTICE_ID, NoticeKind.OVERDUE, datetime.now(UTC), payload={"act": "reply"})
    assert headline(notice).startswith("【逾期】")


def test_links_point_at_public_url_and_are_absent_without_it() -> None:
    assert link("https://huiyin.example.cn/", reminder()) == (
        f"https://huiyin.example.cn/appeals/{CASE_ID}"
    )
    assert link(None, reminder()) is None


def message() -> Message:
    return Message(
        webhook_id=webhook_id(NOTICE_ID),
        kind="reminder",
        occurred_at=datetime(2026, 12, 7, 1, 0, tzinfo=UTC),
        headline="【催办】诉求 HY-2026-000042",
        lines=("责任部门：生产部",),
        link="https://huiyin.example.cn/appeals/x",
        data={"case": {"number": "HY-2026-000042"}},
    )


def test_the_generic_body_is_typed_by_kind_and_carries_the_data() -> None:
    body = json.loads(json_body(message()))
    assert body["type"] == "huiyin.reminder"
    assert body["timestamp"] == "2026-12-07T01:00:00+00:00"
    assert body["data"]["case"] == {"number": "HY-2026-000042"}


def test_robots_get_markdown_in_their_own_shapes() -> None:
    wecom = json.loads(robot_body(message(), EndpointFormat.WECOM))
    assert wecom["msgtype"] == "markdown"
    assert "【催办】" in wecom["markdown"]["content"]
    ding = json.loads(robot_body(message(), EndpointFormat.DINGTALK))
    assert ding["markdown"]["title"].startswith("【催办】")
    assert "https://huiyin.example.cn/appeals/x" in ding["markdown"]["text"]


def test_an_email_has_the_headline_as_subject_and_the_link_in_its_text() -> None:
    subject, text = email(message())
    assert subject == "【催办】诉求 HY-2026-000042"
    assert "https://huiyin.example.cn/appeals/x" in text


def test_a_test_message_is_tagged_for_people_and_typed_for_machines_with_who_asked_only() -> None:
    asked = {
        "requested_by": {"id": "wt-admin", "role": "admin"},
        "requested_at": "2026-12-07T01:00:00+00:00",
    }
    notice = Notice(
        NOTICE_ID, SystemNoticeKind.TEST, datetime(2026, 12, 7, 1, 0, tzinfo=UTC), payload=asked
    )
    message = Message(
        webhook_id(NOTICE_ID),
        notice.kind,
        notice.occurred_at,
        headline(notice),
        facts(notice),
        data=asked,
    )

    body = json.loads(json_body(message))

    assert message.headline.startswith("【测试】")
    assert message.lines == ("发起：wt-admin（admin）", "时间：2026-12-07 09:00")
    assert body["type"] == "huiyin.test"
    assert body["data"]["requested_by"] == {"id": "wt-admin", "role": "admin"}
    assert link("https://huiyin.example.cn", notice) is None  # no case to open
    assert SystemNoticeKind.TEST.value not in {k.value for k in NoticeKind}

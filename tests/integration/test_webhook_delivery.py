"""The sender against real receivers on loopback: signed and delivered once, retried with
back-off, timed out, given up, robots' error codes, e-mail, and two senders at once."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest

from domain.appeal import Appeal, Appellant
from infrastructure.webhook_sender import LONGEST_NAP
from tests.application.test_notice_delivery import Store
from tests.outbox_rows import (
    add_endpoint,
    add_notices,
    attempts,
    delivery,
    drop_pending,
    new_secret,
    notice_webhook_id,
    outbox_database,
    send_once,
    sender,
    sender_settings,
    statuses,
)
from tests.polling import until
from tests.receivers import Behaviour, receiving, smtp_server
from tests.unit.builders import raise_anonymous, raise_named


@pytest.fixture(scope="module")
def outbox(database_url: str) -> Iterator[str]:
    """A database of the module's own holding the outbox's tables."""
    with outbox_database(database_url) as info:
        yield info


@pytest.fixture(autouse=True)
def _own_deliveries_only(outbox: str) -> Iterator[None]:
    yield
    drop_pending(outbox)


def test_a_standard_endpoint_receives_a_signed_notice_once(outbox: str) -> None:
    secret = new_secret()
    with receiving(Behaviour(secret=secret)) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=secret)
        [sent] = add_notices(outbox, endpoint)
        with sender(outbox, sender_settings()).running():
            until("delivered", lambda: statuses(outbox, [sent]) == ["delivered"])
    [request] = receiver.received
    assert request.verified
    assert request.webhook_id == notice_webhook_id(outbox, sent)
    body = request.json()
    assert body["type"] == "huiyin.reminder"
    assert body["data"]["text"].startswith("【催办】")
    assert [a["outcome"] for a in attempts(outbox, sent)] == ["delivered"]


def test_a_failing_receiver_is_retried_with_growing_waits_under_one_webhook_id(
    outbox: str,
) -> None:
    with receiving(Behaviour(fail_first=3)) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        [sent] = add_notices(outbox, endpoint)
        with sender(outbox, sender_settings(webhook_retry_seconds=0.1)).running():
            until("delivered", lambda: statuses(outbox, [sent]) == ["delivered"])
    times = [r.at for r in receiver.received]
    waits = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4
    assert waits[0] >= 0.08  # 0.1 s · 2^n, less 20% at most
    assert waits[1] >= 0.16
    assert waits[2] >= 0.32
    assert len(set(receiver.ids())) == 1
    outcomes = [(a["number"], a["outcome"], a["status_code"]) for a in attempts(outbox, sent)]
    assert outcomes == [
        (1, "failed", 500),
        (2, "failed", 500),
        (3, "failed", 500),
        (4, "delivered", 204),
    ]


def test_a_receiver_that_hangs_past_the_timeout_is_tried_again(outbox: str) -> None:
    with receiving(Behaviour(hang_first=1)) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        [sent] = add_notices(outbox, endpoint)
        settings = sender_settings(webhook_timeout_seconds=0.3)
        with sender(outbox, settings).running():
            until("delivered", lambda: statuses(outbox, [sent]) == ["delivered"])
    assert [a["outcome"] for a in attempts(outbox, sent)] == ["timeout", "delivered"]


def test_a_slow_receiver_within_the_timeout_is_delivered_at_once(outbox: str) -> None:
    with receiving(Behaviour(delay=0.2)) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        [sent] = add_notices(outbox, endpoint)
        with sender(outbox, sender_settings(webhook_timeout_seconds=1.0)).running():
            until("delivered", lambda: statuses(outbox, [sent]) == ["delivered"])
    [attempt] = attempts(outbox, sent)
    assert attempt["duration_ms"] >= 200


def test_a_delivery_failing_past_the_give_up_time_is_a_dead_letter(outbox: str) -> None:
    with receiving(Behaviour(fail_first=10_000, fail_status=503)) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        [sent] = add_notices(outbox, endpoint)
        settings = sender_settings(webhook_give_up_hours=0.4 / 3600)  # 0.4 s
        with sender(outbox, settings).running():
            until("dead", lambda: statuses(outbox, [sent]) == ["dead"])
        count = len(receiver.received)
    row = delivery(outbox, sent)
    assert row["dead_at"] is not None
    assert row["last_error"].startswith("HTTP 503")
    assert row["attempts"] == count >= 2


def test_gone_is_a_dead_letter_at_once(outbox: str) -> None:
    with receiving(Behaviour(fail_first=10, fail_status=410)) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        [sent] = add_notices(outbox, endpoint)
        assert send_once(outbox, sender_settings()) == 1
    assert statuses(outbox, [sent]) == ["dead"]
    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed(outbox: str) -> None:
    with receiving(Behaviour(style="redirect")) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        [sent] = add_notices(outbox, endpoint)
        assert send_once(outbox, sender_settings()) == 1
    [attempt] = attempts(outbox, sent)
    assert attempt["status_code"] == 302
    assert "not followed" in attempt["error"]
    assert statuses(outbox, [sent]) == ["pending"]


def test_a_wecom_robot_refusing_with_an_errcode_is_a_failure_then_retried(outbox: str) -> None:
    with receiving(Behaviour(style="wecom", fail_first=1)) as receiver:
        url = receiver.url + "?key=robot-key-123"
        endpoint = add_endpoint(outbox, form="wecom", target=url)
        [sent] = add_notices(outbox, endpoint)
        with sender(outbox, sender_settings()).running():
            until("delivered", lambda: statuses(outbox, [sent]) == ["delivered"])
    first, second = attempts(outbox, sent)
    assert first["error"] == "errcode 45009: api freq out of limit"
    assert "robot-key-123" not in json.dumps([str(a) for a in attempts(outbox, sent)])
    body = receiver.received[-1].json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("**【催办】")
    assert second["outcome"] == "delivered"


def test_a_dingtalk_robot_with_a_secret_gets_a_signed_url(outbox: str) -> None:
    secret = "SEC" + "0123456789abcdef" * 4
    with receiving(Behaviour(style="dingtalk", secret=secret)) as receiver:
        url = receiver.url + "?access_token=tok"
        endpoint = add_endpoint(outbox, form="dingtalk", target=url, secret=secret)
        [sent] = add_notices(outbox, endpoint)
        assert send_once(outbox, sender_settings()) == 1
    [request] = receiver.received
    assert request.verified
    assert request.query["access_token"] == ["tok"]
    assert statuses(outbox, [sent]) == ["delivered"]


def test_a_dingtalk_robot_with_another_secret_refuses_the_message(outbox: str) -> None:
    with receiving(Behaviour(style="dingtalk", secret="SECthe-robots-own")) as receiver:
        endpoint = add_endpoint(outbox, form="dingtalk", target=receiver.url, secret="SECother")
        [sent] = add_notices(outbox, endpoint)
        assert send_once(outbox, sender_settings()) == 1
    [attempt] = attempts(outbox, sent)
    assert attempt["error"] == "errcode 310000: sign not match"


def test_an_email_endpoint_is_mailed_through_the_smtp_server(outbox: str) -> None:
    with smtp_server() as (port, mailbox):
        target = "wang@example.cn, li@example.cn"
        endpoint = add_endpoint(outbox, form="email", target=target)
        [sent] = add_notices(outbox, endpoint)
        settings = sender_settings(smtp_host="127.0.0.1", smtp_port=port)
        assert send_once(outbox, settings) == 1
    assert statuses(outbox, [sent]) == ["delivered"]
    [(to, message)] = mailbox.messages
    assert to == ["wang@example.cn", "li@example.cn"]
    assert str(message["Subject"]).startswith("【催办】")


def test_two_senders_never_send_one_delivery_at_the_same_time(outbox: str) -> None:
    with receiving(Behaviour(delay=0.01)) as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        sent = add_notices(outbox, endpoint, 60)
        settings = sender_settings(webhook_senders=3)
        with sender(outbox, settings).running(), sender(outbox, settings).running():
            until("all delivered", lambda: set(statuses(outbox, sent)) == {"delivered"})
    assert Counter(receiver.ids()).most_common(1)[0][1] == 1
    assert len(receiver.received) == 60


def test_a_notice_wakes_an_idle_sender_at_once(outbox: str) -> None:
    with receiving() as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        with sender(outbox, sender_settings()).running():
            until("the sender listens", lambda: listening(outbox))
            [sent] = add_notices(outbox, endpoint)  # with NOTIFY huiyin_outbox
            # An idle sender with nothing pending naps for 5 s unless NOTIFY wakes it.
            until("delivered", lambda: statuses(outbox, [sent]) == ["delivered"], 2.0)


def listening(info: str) -> bool:
    """Whether a session of the outbox's database listens on huiyin_outbox, idle."""
    with psycopg.connect(info) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND query LIKE 'LISTEN%%' AND state = 'idle'"
        ).fetchone()
    return bool(row and row[0])


def test_the_appellant_is_mailed_when_their_answer_is_published(outbox: str) -> None:
    appeal = raise_named(appellant=Appellant("张伟", "E1001", "zhang.wei@example.cn"))
    with smtp_server() as (port, mailbox):
        [sent] = add_notices(outbox, None, kind="published", case_id=appeal.id)
        settings = sender_settings(smtp_host="127.0.0.1", smtp_port=port)
        once = sender(outbox, settings, Store(appeal)).open()
        try:
            assert once.send_due() == 1
        finally:
            once.close()
    assert statuses(outbox, [sent]) == ["delivered"]
    [(to, message)] = mailbox.messages
    assert to == ["zhang.wei@example.cn"]
    assert str(message["Subject"]).startswith("【答复】")


def test_an_anonymous_appellant_delivery_is_dropped_saying_why(outbox: str) -> None:
    appeal = raise_anonymous()
    [sent] = add_notices(outbox, None, kind="published", case_id=appeal.id)
    once = sender(outbox, sender_settings(smtp_host="127.0.0.1"), Store(appeal)).open()
    try:
        assert once.send_due() == 1
    finally:
        once.close()
    row = delivery(outbox, sent)
    assert (row["status"], row["attempts"]) == ("dropped", 0)
    assert row["last_error"] == "the appeal is anonymous: nobody to write to"
    assert attempts(outbox, sent) == []


def test_a_paused_endpoints_deliveries_wait_and_keep_no_sender_busy(outbox: str) -> None:
    with receiving() as receiver:
        endpoint = add_endpoint(outbox, target=receiver.url, secret=new_secret())
        pause(outbox, endpoint)
        [sent] = add_notices(outbox, endpoint)
        assert send_once(outbox, sender_settings()) == 0
        idle = sender(outbox, sender_settings()).open()
        try:
            assert idle.next_due_in() == LONGEST_NAP
        finally:
            idle.close()
    assert statuses(outbox, [sent]) == ["pending"]
    assert receiver.received == []


def pause(info: str, endpoint_id: UUID) -> None:
    """Pauses an endpoint (as the registry's pause does)."""
    with psycopg.connect(info) as conn:
        conn.execute(
            "UPDATE huiyin_webhook_endpoints SET active = false WHERE id = %s", (endpoint_id,)
        )


class Broken:
    """An appeal store that fails as a database outage would."""

    def get_appeal(self, appeal_id: UUID, version: int | None = None) -> Appeal:
        raise psycopg.OperationalError("the store is down")


def test_a_message_that_cannot_be_made_is_a_failed_attempt_retried_later(outbox: str) -> None:
    endpoint = add_endpoint(outbox, target="http://127.0.0.1:9/hook", personal_data=True)
    [sent] = add_notices(outbox, endpoint)
    once = sender(outbox, sender_settings(), Broken()).open()
    try:
        assert once.send_due() == 1
    finally:
        once.close()
    [attempt] = attempts(outbox, sent)
    assert attempt["error"] == "no message made: OperationalError"
    assert statuses(outbox, [sent]) == ["pending"]

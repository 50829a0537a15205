"""`huiyin webhook …`, run as an operator runs it, on the test database."""

from __future__ import annotations

import uuid

from typer.testing import CliRunner

from api.bootstrap import Services
from api.cli import cli
from tests.outbox import put_delivery

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=cli-robot-key"


def test_an_endpoint_is_added_with_its_secret_printed_once_then_changed_paused_and_removed(
    run: CliRunner, services: Services
) -> None:
    added = run.invoke(
        cli, ["webhook", "add", "值班群", "https://hooks.example.cn/cli", "--kind", "reminder"]
    )
    secret = added.stdout.strip()
    endpoint = added.stderr.split()[1]
    changed = run.invoke(
        cli, ["webhook", "change", endpoint, "--name", "新值班群", "--kind", "overdue"]
    )
    paused = run.invoke(cli, ["webhook", "pause", endpoint])
    listed = run.invoke(cli, ["webhook", "list"])
    rotated = run.invoke(cli, ["webhook", "rotate-secret", endpoint])
    shown = run.invoke(cli, ["webhook", "show", endpoint])
    removed = run.invoke(cli, ["webhook", "remove", endpoint])
    after = run.invoke(cli, ["webhook", "list"])

    assert added.exit_code == 0, added.output
    assert secret.startswith("whsec_")
    assert changed.exit_code == 0, changed.output
    assert paused.stdout == f"paused {endpoint}\n"
    assert f"{endpoint}  paused  standard 新值班群  [overdue]" in listed.stdout
    assert secret not in listed.stdout + shown.stdout
    assert rotated.stdout.strip().startswith("whsec_")
    assert rotated.stdout.strip() != secret
    for change in ("registered", "changed", "paused", "secret rotated"):
        assert f") {change}" in shown.stdout
    assert "(admin)" in shown.stdout
    assert removed.exit_code == 0
    assert endpoint not in after.stdout
    record = services.webhooks.store.get(uuid.UUID(endpoint))
    assert record.removed_at is not None


def test_a_robots_key_is_not_listed_and_a_bad_target_is_refused_in_one_line(
    run: CliRunner,
) -> None:
    added = run.invoke(cli, ["webhook", "add", "群", WECOM, "--format", "wecom", "--kind", "card"])
    listed = run.invoke(cli, ["webhook", "list"])
    refused = run.invoke(cli, ["webhook", "add", "x", "ftp://x.cn/", "--kind", "card"])

    assert added.exit_code == 0, added.output
    assert added.stdout == ""  # no secret: its key is in the URL
    assert "https://qyapi.weixin.qq.com/cgi-bin/webhook/send" in listed.stdout
    assert "cli-robot-key" not in listed.stdout
    assert refused.exit_code == 2
    assert "refused: target: the URL must start with https://" in refused.output


def test_dead_deliveries_are_listed_and_one_is_sent_again(
    run: CliRunner, services: Services
) -> None:
    added = run.invoke(
        cli, ["webhook", "add", "重试", "https://hooks.example.cn/r", "--kind", "card"]
    )
    endpoint = added.stderr.split()[1]
    dead = put_delivery(services.database_url, endpoint, "dead", tries=2)
    delivered = put_delivery(services.database_url, endpoint, "delivered")

    listed = run.invoke(cli, ["webhook", "deliveries", "--endpoint", endpoint, "--status", "dead"])
    retried = run.invoke(cli, ["webhook", "retry", dead])
    refused = run.invoke(cli, ["webhook", "retry", delivered])

    assert dead in listed.stdout
    assert delivered not in listed.stdout
    assert retried.exit_code == 0, retried.output
    assert f"pending again: {dead}  pending" in retried.stdout
    assert refused.exit_code == 2
    assert "refused: cannot retry a delivery that is delivered" in refused.output


def test_a_test_message_is_recorded_for_the_endpoint_alone_and_held_while_it_is_paused(
    run: CliRunner, services: Services
) -> None:
    added = run.invoke(
        cli, ["webhook", "add", "测试", "https://hooks.example.cn/t", "--kind", "card"]
    )
    endpoint = added.stderr.split()[1]
    run.invoke(cli, ["webhook", "pause", endpoint])

    sent = run.invoke(cli, ["webhook", "test", endpoint])
    gone = run.invoke(cli, ["webhook", "test", str(uuid.uuid4())])

    assert sent.exit_code == 0, sent.output
    assert sent.stdout.startswith("test recorded: ")
    delivery = sent.stdout.split()[2]
    assert "pending" in sent.stdout
    assert " test " in sent.stdout
    assert "held until it resumes" in sent.stderr
    record = services.webhooks.store.delivery(uuid.UUID(delivery))
    assert record.endpoint_id == uuid.UUID(endpoint)
    assert record.kind == "test"
    assert gone.exit_code != 0

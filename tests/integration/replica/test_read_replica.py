"""Reads on a real streaming standby (`HUIYIN_READ_DATABASE_URL`): the views' queries and
their `?after=` waits go to it, commands and tokens stay on the primary, and reads fall back
to the primary while the standby is down. The standby is PostgreSQL's own, started by the
session's fixture (`conftest.py`), not a stand-in."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from domain.actors import Role
from infrastructure import read_replica
from projections.view import APPLICATION_NAME
from tests.api.conftest import Headers, named_appeal
from tests.conftest import SETUP, open_department
from tests.integration.replica.conftest import DATABASE, Cluster
from tests.polling import until

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(replica_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=replica_services)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def staff(replica_services: Services) -> Headers:
    replica_services.casework.directory.grant("union-clerk-1", Role.UNION_STAFF, actor=SETUP)
    token = replica_services.credentials.issue("union-clerk-1", Role.UNION_STAFF).token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def department(replica_services: Services) -> str:
    """A department of this test's own: its lists show only its appeals."""
    return open_department(replica_services.casework, "副本")


def raise_appeal(client: TestClient, headers: Headers, department: str, title: str) -> Any:
    raised = client.post(
        "/appeals", json=named_appeal(department=department, title=title), headers=headers
    )
    assert raised.status_code == 201, raised.text
    return raised.json()


def listed(client: TestClient, headers: Headers, department: str, **params: Any) -> Any:
    return client.get("/appeals", params={"department": department, **params}, headers=headers)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@contextlib.contextmanager
def replay_paused(cluster: Cluster) -> Iterator[None]:
    """The standby receives the primary's log but applies none of it, until the end."""
    with cluster.standby() as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        until(
            "the standby pauses its replay",
            lambda: (
                conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone() == ("paused",)
            ),
            10,
        )
        try:
            yield
        finally:
            conn.execute("SELECT pg_wal_replay_resume()")


def applied_on_primary(services: Services, position: int) -> None:
    """Waits until the case index on the primary (where its runner writes) has `position`."""
    services.views.get("case_index").wait(APPLICATION_NAME, position, timeout=10)


def test_a_list_after_a_command_reads_the_new_appeal_from_the_standby(
    client: TestClient, staff: Headers, department: str, cluster: Cluster
) -> None:
    raised = raise_appeal(client, staff, department, "井口更衣室热水不足")

    page = listed(client, staff, department, after=raised["position"])

    assert ids(page) == [raised["id"]]
    assert page.json()["position"] >= raised["position"]
    with cluster.standby() as conn:  # the service keeps connections to the standby
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            (DATABASE,),
        ).fetchone()
    assert row is not None
    assert row[0] >= 1


def test_with_the_standby_replay_paused_after_waits_for_it_then_reads_the_write(
    client: TestClient,
    staff: Headers,
    department: str,
    cluster: Cluster,
    replica_services: Services,
) -> None:
    first = raise_appeal(client, staff, department, "第一件")
    assert ids(listed(client, staff, department, after=first["position"])) == [first["id"]]

    with replay_paused(cluster):
        # Commands go to the primary: the standby could not take them.
        second = raise_appeal(client, staff, department, "第二件")
        applied_on_primary(replica_services, second["position"])

        # Reads are the standby's: without a position, its copy, one appeal behind.
        assert ids(listed(client, staff, department)) == [first["id"]]
        # With the new position: waits for the standby, in vain, and says so.
        started = time.monotonic()
        behind = listed(client, staff, department, after=second["position"])
        waited = time.monotonic() - started

    assert behind.status_code == 503, behind.text
    assert behind.headers["content-type"] == PROBLEM
    assert behind.headers["retry-after"] == "1"
    problem = behind.json()
    assert problem["type"].endswith("/view-behind")
    assert "read replica has not replayed it yet" in problem["detail"]
    assert waited >= replica_services.settings.read_wait_seconds
    # Replay resumed: the same read now waits only until the standby has the appeal.
    assert ids(listed(client, staff, department, after=second["position"])) == [
        second["id"],
        first["id"],
    ]


def test_commands_and_tokens_stay_on_the_primary(
    client: TestClient, department: str, cluster: Cluster, replica_services: Services
) -> None:
    with cluster.standby() as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("CREATE TABLE written_on_the_standby (id int)")
    replica_services.casework.directory.grant("union-clerk-2", Role.UNION_STAFF, actor=SETUP)
    issued = replica_services.credentials.issue("union-clerk-2", Role.UNION_STAFF)
    headers = {"Authorization": f"Bearer {issued.token}"}
    raised = raise_appeal(client, headers, department, "工作服发放延迟")
    events = replica_services.casework.recorder.events_table_name  # type: ignore[attr-defined]
    with cluster.primary() as conn:
        row = conn.execute(
            f"SELECT count(*) FROM {events} WHERE originator_id = %s",  # noqa: S608 - a table name
            (raised["id"],),
        ).fetchone()
    assert row == (1,)

    # A revocation holds from the next request, however far behind the standby is.
    with replay_paused(cluster):
        replica_services.credentials.revoke(issued.token)
        refused = listed(client, headers, department)
    assert refused.status_code == 401, refused.text


def test_health_reports_the_replica_and_its_lag_without_its_address(
    client: TestClient, cluster: Cluster
) -> None:
    body = client.get("/health").json()

    replica = body["read_replica"]
    assert replica["status"] == "ok"
    assert replica["reads_on"] == "replica"
    assert replica["replay_lag_bytes"] >= 0
    assert str(cluster.standby_port) not in str(body)


def test_reads_go_to_the_primary_while_the_standby_is_down_and_back_after(
    client: TestClient,
    staff: Headers,
    department: str,
    cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(read_replica, "RETRY_SECONDS", 0.2)
    raised = raise_appeal(client, staff, department, "班车发车时间")
    cluster.stop(cluster.standby_dir)
    try:
        with caplog.at_level(logging.WARNING, logger="infrastructure.read_replica"):
            page = listed(client, staff, department, after=raised["position"])
            health = client.get("/health")
        assert ids(page) == [raised["id"]]  # answered by the primary, not a 503
        assert "the read replica cannot be reached" in caplog.text
        assert health.status_code == 200
        assert health.json()["read_replica"]["status"] == "unreachable"
        assert health.json()["read_replica"]["reads_on"] == "primary"
    finally:
        cluster.start(cluster.standby_dir, "standby.log")
        cluster.wait_for_standby()

    def back() -> bool:
        return bool(client.get("/health").json()["read_replica"]["reads_on"] == "replica")

    until("reads back on the replica", back, timeout=15)
    again = raise_appeal(client, staff, department, "班车发车时间（二）")
    assert ids(listed(client, staff, department, after=again["position"])) == [
        again["id"],
        raised["id"],
    ]


def test_a_read_url_naming_a_server_that_replays_nothing_is_reported(
    cluster: Cluster, replica_services: Services
) -> None:
    primary_as_replica = read_replica.ReadReplica(
        replica_services.views._env, cluster.primary_url, pool_size=1
    )
    try:
        health = primary_as_replica.health(None)
    finally:
        primary_as_replica.close()

    assert health["status"] == "not-a-standby"
    assert health["replay_lag_bytes"] is None

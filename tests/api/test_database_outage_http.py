"""The database restarts or goes away: what clients see, and that the service recovers.

The service under test reaches the real PostgreSQL through a relay the test can cut
(`tests.dbproxy`): a restart ends every connection; an outage also refuses new ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.bootstrap import Services, build_services
from domain.actors import Role
from infrastructure.settings import Settings
from tests.api.conftest import Headers, named_appeal
from tests.conftest import SETUP
from tests.dbproxy import DatabaseRelay, relay_to

PROBLEM = "application/problem+json"

#: Longest a request may take while the database is down: the library's ten tries of a
#: half-second wait, and a margin. (Before, a list request hung for four minutes.)
ANSWER_BOUND = 20.0


@dataclass
class Relayed:
    """An app whose every connection goes through `relay`."""

    client: TestClient
    relay: DatabaseRelay
    staff: Headers


@pytest.fixture
def relayed(settings: Settings, services: Services) -> Iterator[Relayed]:
    """The service's wiring through a relay; `services` (the session's) runs the views."""
    with relay_to(settings.database_url or "") as relay:
        through = settings.model_copy(
            update={"database_url": relay.url(settings.database_url or ""), "projections": False}
        )
        with (
            build_services(through) as relayed_services,
            TestClient(create_app(services=relayed_services)) as client,
        ):
            # Its own directory, read through the relay: the clerk's role is granted there.
            relayed_services.casework.directory.grant(
                "union-clerk-1", Role.UNION_STAFF, actor=SETUP
            )
            token = relayed_services.credentials.issue("union-clerk-1", Role.UNION_STAFF)
            yield Relayed(client, relay, {"Authorization": f"Bearer {token.token}"})


def timed(request: Callable[[], Response]) -> tuple[Response, float]:
    """The response to `request`, and the seconds it took."""
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def test_a_database_restart_costs_no_request(relayed: Relayed) -> None:
    client, staff = relayed.client, relayed.staff
    before = client.post("/appeals", json=named_appeal(), headers=staff).json()

    assert relayed.relay.cut() > 0  # every session ends, as in a restart

    raised = client.post("/appeals", json=named_appeal(), headers=staff)
    assert raised.status_code == 201
    moved = client.post(
        f"/appeals/{before['id']}/transfer",
        json={"department": "后勤服务中心", "supervisor": "union-vice-chair"},
        headers={**staff, "If-Match": '"1"'},
    )
    assert moved.status_code == 200
    listed = client.get(
        "/appeals", params={"after": raised.json()["position"], "limit": 5}, headers=staff
    )
    assert listed.status_code == 200
    assert raised.json()["id"] in [item["id"] for item in listed.json()["items"]]
    assert client.get("/health").status_code == 200


def test_while_the_database_is_down_every_request_gets_a_prompt_503_problem(
    relayed: Relayed,
) -> None:
    client, staff = relayed.client, relayed.staff
    known = client.post("/appeals", json=named_appeal(), headers=staff).json()

    relayed.relay.refuse()
    try:
        answers = {
            "command": timed(lambda: client.post("/appeals", json=named_appeal(), headers=staff)),
            "case": timed(lambda: client.get(f"/appeals/{known['id']}", headers=staff)),
            "list": timed(lambda: client.get("/appeals", headers=staff)),
            "health": timed(lambda: client.get("/health")),
        }
    finally:
        relayed.relay.restore()

    for name, (response, seconds) in answers.items():
        assert seconds < ANSWER_BOUND, name
        assert response.status_code == 503, name
        assert response.headers["content-type"] == PROBLEM, name
        assert response.headers["retry-after"] == "5", name
        body = response.json()
        assert body["type"].endswith("/database-unavailable"), name
        assert body["detail"] == "the database did not answer in time; retry in a few seconds"
        assert "127.0.0.1" not in response.text


def test_after_an_outage_the_service_answers_again_and_lost_nothing_it_acknowledged(
    relayed: Relayed,
) -> None:
    client, staff = relayed.client, relayed.staff
    acknowledged = client.post("/appeals", json=named_appeal(), headers=staff).json()
    relayed.relay.refuse()
    refused = client.post("/appeals", json=named_appeal(title="停电期间提交"), headers=staff)
    relayed.relay.restore()

    # The pools reconnect by themselves within seconds (`infrastructure.pools`).
    deadline = time.monotonic() + ANSWER_BOUND
    while client.get("/health").status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover"
    raised = client.post("/appeals", json=named_appeal(), headers=staff)

    assert refused.status_code == 503
    assert raised.status_code == 201
    case = client.get(f"/appeals/{acknowledged['id']}", headers=staff)
    assert case.status_code == 200
    assert case.json()["version"] == acknowledged["version"]

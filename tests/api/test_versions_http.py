"""ETags and If-Match (RFC 9110 §13.1.1): a stale or weak tag is a 412 that gives the current
ETag, a command that loses a race on the version it named is a 412 too, never an overwrite;
without If-Match, the loser of a race gets 409."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from tests.api.conftest import Headers, named_appeal
from tests.conftest import open_department


def test_if_match_with_the_current_version_succeeds(client: TestClient, staff: Headers) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    tag = client.get(f"/appeals/{appeal_id}", headers=staff).headers["ETag"]

    response = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "d", "supervisor": "s"},
        headers={**staff, "If-Match": tag},
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


def test_stale_if_match_is_a_412_and_records_nothing(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    client.post(
        f"/appeals/{appeal_id}/transfer", json={"department": "d", "supervisor": "s"}, headers=staff
    )
    handler = auth("d-head", Role.DEPARTMENT, departments=["d"])

    response = client.post(
        f"/appeals/{appeal_id}/acknowledge", json={}, headers={**handler, "If-Match": '"1"'}
    )

    assert response.status_code == 412
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["ETag"] == '"2"'  # what to send instead, after a fresh look
    assert client.get(f"/appeals/{appeal_id}", headers=staff).json()["version"] == 2


@pytest.mark.parametrize("tag", ["yesterday", "1", '"1", "2"', '"1'])
def test_an_if_match_that_is_not_one_quoted_etag_is_a_400(
    client: TestClient, staff: Headers, tag: str
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    response = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "d", "supervisor": "s"},
        headers={**staff, "If-Match": tag},
    )

    assert response.status_code == 400
    assert "quotes included" in response.json()["detail"]


def test_a_weak_etag_never_matches_if_match(client: TestClient, staff: Headers) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    response = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "d", "supervisor": "s"},
        headers={**staff, "If-Match": 'W/"1"'},
    )

    assert response.status_code == 412
    assert response.headers["ETag"] == '"1"'
    assert "weak ETag" in response.json()["detail"]


def test_concurrent_commands_on_one_version_never_overwrite(
    client: TestClient, staff: Headers, casework: Casework
) -> None:
    departments = [open_department(casework, "dept") for _ in range(6)]
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    def transfer(department: str) -> int:
        response = client.post(
            f"/appeals/{appeal_id}/transfer",
            json={"department": department, "supervisor": "s"},
            headers={**staff, "If-Match": '"1"'},
        )
        return int(response.status_code)

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(transfer, departments))

    # Each named version 1: only one finds it still current; the others' precondition
    # fails, whether they looked before or after the winner saved (never a 409).
    assert sorted(statuses) == [200] + [412] * 5
    history = client.get(f"/appeals/{appeal_id}/history", headers=staff).json()
    assert [e["type"] for e in history["events"]] == ["Raised", "Transferred"]


def test_appeal_at_a_version_and_as_of_a_time(
    client: TestClient, staff: Headers, clock: ManualClock
) -> None:
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    clock.set(start)
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    clock.set(start + timedelta(days=1))
    client.post(
        f"/appeals/{appeal_id}/transfer", json={"department": "d", "supervisor": "s"}, headers=staff
    )

    at_v1 = client.get(f"/appeals/{appeal_id}", params={"version": 1}, headers=staff)
    between = client.get(
        f"/appeals/{appeal_id}",
        params={"as_of": (start + timedelta(hours=2)).isoformat()},
        headers=staff,
    )
    after = client.get(
        f"/appeals/{appeal_id}",
        params={"as_of": (start + timedelta(days=2)).isoformat()},
        headers=staff,
    )
    before = client.get(
        f"/appeals/{appeal_id}",
        params={"as_of": (start - timedelta(days=1)).isoformat()},
        headers=staff,
    )
    beyond = client.get(f"/appeals/{appeal_id}", params={"version": 9}, headers=staff)

    assert (at_v1.json()["status"], at_v1.headers["ETag"]) == ("raised", '"1"')
    assert between.json()["status"] == "raised"
    assert after.json()["status"] == "transferred"
    assert before.status_code == 404
    assert beyond.status_code == 404


def test_a_strong_etag_of_version_zero_is_stale_not_weak(
    client: TestClient, staff: Headers
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    response = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "d", "supervisor": "s"},
        headers={**staff, "If-Match": '"0"'},
    )

    assert response.status_code == 412
    assert "is at version 1, not the version 0" in response.json()["detail"]

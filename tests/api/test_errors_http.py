"""Bad input gets a clear problem+json 4xx that names the field; never a 500."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.actors import Role
from infrastructure import view_errors
from infrastructure.database import conninfo
from infrastructure.view_errors import EventFailed
from tests.api.conftest import Headers, named_appeal

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"text": "x" * 5001}, "text"),
        ({"kind": "rant"}, "kind"),
        ({"tier": "generals"}, "tier"),
        ({"appellant": {"name": "", "employee_no": "E1"}}, "appellant.name"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_appeal_fields_are_named_in_the_problem(
    client: TestClient, staff: Headers, override: dict[str, object], field: str
) -> None:
    response = client.post("/appeals", json=named_appeal(**override), headers=staff)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert any(error["field"] == field for error in problem["errors"]), problem


def test_anonymous_box_with_an_identity_is_refused(client: TestClient, staff: Headers) -> None:
    response = client.post("/appeals", json=named_appeal(channel="anonymous_box"), headers=staff)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "appellant", "message": "an anonymous-box appeal carries no identity"}
    ]


def test_malformed_uuid_is_a_422_and_unknown_id_a_404(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    handler = auth("d-head", Role.DEPARTMENT, departments=["d"])  # may acknowledge
    malformed = client.get("/appeals/not-a-uuid", headers=staff)
    unknown = client.get(f"/appeals/{uuid.uuid4()}", headers=staff)
    unknown_command = client.post(f"/appeals/{uuid.uuid4()}/acknowledge", json={}, headers=handler)

    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == PROBLEM
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM
    assert unknown_command.status_code == 404


def test_deadline_in_the_past_is_refused(client: TestClient, staff: Headers) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    response = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "机电科", "supervisor": "s", "deadline": "2020-01-01T18:00:00+08:00"},
        headers=staff,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deadline"
    assert "past" in response.json()["detail"]


def test_deadline_without_time_zone_is_refused(client: TestClient, staff: Headers) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    response = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "机电科", "supervisor": "s", "deadline": "2030-01-01T18:00:00"},
        headers=staff,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deadline"


def test_action_not_allowed_in_state_is_a_409_naming_state_and_action(
    client: TestClient, staff: Headers
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    # Union staff may publish an appeal's reply, but not while it is only raised.
    response = client.post(
        f"/appeals/{appeal_id}/publish", json={"public_text": "已答复"}, headers=staff
    )

    assert response.status_code == 409
    problem = response.json()
    assert problem["state"] == "raised"
    assert problem["action"] == "publish the reply of"
    assert "raised" in problem["detail"]
    history = client.get(f"/appeals/{appeal_id}/history", headers=staff).json()
    assert len(history["events"]) == 1


def test_requests_without_a_valid_token_are_401(client: TestClient, services: object) -> None:
    missing = client.post("/appeals", json=named_appeal())
    wrong = client.post("/appeals", json=named_appeal(), headers={"Authorization": "Bearer nope"})

    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(
    client: TestClient, services: Services, auth: Callable[..., Headers]
) -> None:
    headers = auth("temp", Role.UNION_STAFF)
    token = headers["Authorization"].removeprefix("Bearer ")
    assert client.post("/appeals", json=named_appeal(), headers=headers).status_code == 201

    assert services.credentials.revoke(token) is not None

    # No cache: the very next request is refused.
    assert client.post("/appeals", json=named_appeal(), headers=headers).status_code == 401


def test_only_the_appellant_may_rate(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    appeal_id = client.post(
        "/appeals", json=named_appeal(channel="reception_day"), headers=staff
    ).json()["id"]
    client.post(f"/appeals/{appeal_id}/answer-on-spot", json={"answer": "已解释"}, headers=staff)

    stranger = client.post(
        f"/appeals/{appeal_id}/rate",
        json={"rating": "satisfied"},
        headers=auth("E99999", Role.EMPLOYEE),
    )

    assert stranger.status_code == 403
    assert stranger.headers["content-type"] == PROBLEM


def test_publishing_personal_data_is_refused(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    client.post(
        f"/appeals/{appeal_id}/transfer", json={"department": "d", "supervisor": "s"}, headers=staff
    )
    client.post(
        f"/appeals/{appeal_id}/reply",
        json={"answer": "a", "basis": "b"},
        headers=auth("d-head", Role.DEPARTMENT, departments=["d"]),
    )

    response = client.post(
        f"/appeals/{appeal_id}/publish",
        json={"public_text": "王建国反映的问题已解决"},
        headers=staff,
    )

    assert response.status_code == 422
    assert "name" in response.json()["detail"]


def test_version_and_as_of_together_are_refused(client: TestClient, staff: Headers) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]

    response = client.get(
        f"/appeals/{appeal_id}",
        params={"version": 1, "as_of": "2030-01-01T00:00:00+08:00"},
        headers=staff,
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


NUL_REFUSED = "must not contain the NUL character (U+0000)"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"title": "夜班\x00食堂"}, "title"),
        ({"category": "canteen\x00"}, "category"),
        ({"appellant": {"name": "王\x00建国", "employee_no": "E1"}}, "appellant.name"),
    ],
)
def test_text_holding_a_nul_character_is_refused_and_nothing_is_stored(
    client: TestClient, staff: Headers, services: Services, override: dict[str, object], field: str
) -> None:
    """No text column holds U+0000: stored, such an event would stop every view."""
    head = services.views.head()

    response = client.post("/appeals", json=named_appeal(**override), headers=staff)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert {"field": field, "message": f"Value error, {NUL_REFUSED}"} in response.json()["errors"]
    assert services.views.head() == head


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/appeals", {"department": "后勤\x00"}, "query.department"),
        ("/audit/events", {"actor": "\x00"}, "query.actor"),
        ("/audit/export.csv", {"event_type": "Raised\x00"}, "query.event_type"),
        ("/public/departments/后勤%00服务中心/disclosures.atom", {}, "path.department"),
    ],
)
def test_a_parameter_holding_a_nul_character_is_a_422_naming_it(
    client: TestClient, staff: Headers, path: str, params: dict[str, str], field: str
) -> None:
    response = client.get(path, params=params, headers=staff)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"] == [{"field": field, "message": NUL_REFUSED}]


def test_a_position_past_the_newest_event_is_refused_without_waiting(
    client: TestClient, staff: Headers, services: Services
) -> None:
    head = services.views.head()
    started = time.monotonic()

    response = client.get("/appeals", params={"after": head + 1_000}, headers=staff)

    assert time.monotonic() - started < services.settings.read_wait_seconds
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith("/position-ahead")
    assert f"position {head + 1_000} is past the newest event" in problem["detail"]


def test_a_view_that_has_not_caught_up_is_a_503_saying_why_when_its_runner_stopped(
    client: TestClient,
    staff: Headers,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services.settings, "read_wait_seconds", 0.2)
    services.views.stop_runners(["case_index"])
    try:
        raised = client.post("/appeals", json=named_appeal(), headers=staff).json()
        behind = client.get("/appeals", params={"after": raised["position"]}, headers=staff)
        with psycopg.connect(conninfo(services.database_url), autocommit=True) as conn:
            view_errors.create_table(conn)
        view_errors.record(
            conninfo(services.database_url),
            ["case_index"],
            EventFailed(raised["position"], "Appeal.Raised", RuntimeError("the disk is full")),
        )
        stopped = client.get("/appeals", params={"after": raised["position"]}, headers=staff)
    finally:
        with psycopg.connect(conninfo(services.database_url), autocommit=True) as conn:
            view_errors.clear(conn, ["case_index"])
        services.views.start_runners(["case_index"])

    assert behind.status_code == 503
    assert behind.headers["content-type"] == PROBLEM
    assert behind.headers["retry-after"] == "1"
    assert behind.json()["detail"].endswith("within 0.2 s; retry shortly")
    assert stopped.status_code == 503
    assert "its runner stopped at" in stopped.json()["detail"]
    assert f"event {raised['position']} (Appeal.Raised) failed" in stopped.json()["detail"]
    assert "the disk is full" in stopped.json()["detail"]

"""Request size: bodies over the limit get 413 before they are read; over-long lists, 422."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain import limits
from tests.api.conftest import Headers, named_appeal

PROBLEM = "application/problem+json"


def oversized(services: Services) -> bytes:
    """A JSON appeal one byte past the limit."""
    limit = services.settings.max_body_bytes
    body = json.dumps(named_appeal(text="")).encode()
    padding = limit + 1 - len(body)
    return json.dumps(named_appeal(text="x" * padding)).encode()


def in_chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """The body sent without a Content-Length (chunked transfer encoding)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_body_declared_over_the_limit_is_a_413_problem(
    client: TestClient, staff: Headers, services: Services
) -> None:
    body = oversized(services)
    before = client.get("/appeals", params={"limit": 1}, headers=staff).json()

    response = client.post(
        "/appeals", content=body, headers={**staff, "Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith("/body-too-large")
    assert problem["detail"] == (
        f"the request body is larger than {services.settings.max_body_bytes:,} bytes"
    )
    after = client.get("/appeals", params={"limit": 1}, headers=staff).json()
    assert after["items"][:1] == before["items"][:1]  # nothing was raised


def test_a_body_sent_without_a_length_is_refused_once_it_passes_the_limit(
    client: TestClient, staff: Headers, services: Services
) -> None:
    response = client.post(
        "/appeals",
        content=in_chunks(oversized(services)),
        headers={**staff, "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["type"].endswith("/body-too-large")


def test_routes_open_to_anyone_refuse_it_too(client: TestClient, services: Services) -> None:
    body = b'{"rating": "satisfied", "comment": "' + b"x" * services.settings.max_body_bytes + b'"}'

    response = client.post(
        "/receipts/K7QF-M2XD-9HPA-RT4C/rate",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413


def test_a_body_within_the_limit_reaches_the_schema(client: TestClient, staff: Headers) -> None:
    response = client.post("/appeals", json=named_appeal(text="x" * 5001), headers=staff)

    assert response.status_code == 422  # the schema's own limit on the text, not 413
    assert response.json()["errors"][0]["field"] == "text"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("decisions", {"decisions": ["延长供餐时间"] * (limits.DECISIONS + 1)}, "decisions"),
        ("invite", {"participants": ["E1"] * (limits.PEOPLE + 1)}, "participants"),
        ("invite", {"departments": ["通风科"] * (limits.DEPARTMENTS + 1)}, "departments"),
    ],
)
def test_a_list_longer_than_one_request_may_carry_is_named_in_a_422(
    client: TestClient, staff: Headers, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.post(f"/meetings/{uuid.uuid4()}/{path}", json=body, headers=staff)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]

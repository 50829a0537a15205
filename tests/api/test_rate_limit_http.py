"""The rate limit as a client meets it: 429 problem+json with Retry-After, per token and per
address, before the route runs; /health is never limited."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from tests.api.conftest import Headers


def limited_client(services: Services, *, per_token: int, per_address: int) -> TestClient:
    settings = services.settings.model_copy(
        update={
            "requests_per_minute_per_token": per_token,
            "requests_per_minute_per_address": per_address,
        }
    )
    return TestClient(create_app(services=dataclasses.replace(services, settings=settings)))


@pytest.fixture
def per_token(services: Services) -> Iterator[TestClient]:
    with limited_client(services, per_token=3, per_address=0) as client:
        yield client


def test_a_token_over_its_allowance_gets_429_with_retry_after(
    per_token: TestClient, staff: Headers
) -> None:
    statuses = [per_token.get("/appeals", headers=staff).status_code for _ in range(4)]

    refused = per_token.get("/appeals", headers=staff)
    assert statuses == [200, 200, 200, 429]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "20"  # 3 a minute: one every 20 s
    assert refused.json()["type"].endswith("/rate-limited")
    assert "this token may send 3 requests a minute" in refused.json()["detail"]


def test_another_token_is_not_held_back_by_the_first(
    per_token: TestClient, auth: Callable[..., Headers], staff: Headers
) -> None:
    for _ in range(3):
        per_token.get("/appeals", headers=staff)

    other = auth("union-clerk-2")

    assert per_token.get("/appeals", headers=other).status_code == 200


def test_health_is_never_limited(per_token: TestClient) -> None:
    assert {per_token.get("/health").status_code for _ in range(6)} == {200}


def test_an_address_over_its_allowance_gets_429_token_or_not(
    services: Services, staff: Headers
) -> None:
    with limited_client(services, per_token=0, per_address=2) as client:
        answers = [
            client.get("/appeals", headers=staff).status_code,
            client.get("/appeals").status_code,  # no token: counted all the same
            client.get("/appeals", headers=staff).status_code,
        ]

    assert answers == [200, 401, 429]

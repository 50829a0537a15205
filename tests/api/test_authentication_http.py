"""Authentication: tokens that expire, failures throttled per address, guesses cheap."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import FailureThrottle
from api.bootstrap import Services
from application.clock import ManualClock
from domain.actors import Role
from domain.errors import InvalidInput
from tests.api.conftest import Headers
from tests.conftest import SETUP


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_throttle_counts_failures_per_address_over_a_sliding_minute() -> None:
    ticks = Ticks()
    throttle = FailureThrottle(3, clock=ticks)
    for _ in range(3):
        assert throttle.retry_after("10.0.0.1") is None
        throttle.failed("10.0.0.1")

    assert throttle.retry_after("10.0.0.1") == 60
    assert throttle.retry_after("10.0.0.2") is None
    ticks.now += 59.5
    assert throttle.retry_after("10.0.0.1") == 1
    ticks.now += 0.5
    assert throttle.retry_after("10.0.0.1") is None


@pytest.fixture
def strict_client(services: Services, clock: ManualClock) -> Iterator[TestClient]:
    """A client of an app whose throttle lets three bad tokens a minute through."""
    app = create_app(services=services)
    app.state.auth_throttle = FailureThrottle(3)
    with TestClient(app) as test_client:
        yield test_client


def test_too_many_bad_tokens_from_one_address_get_429_with_retry_after(
    strict_client: TestClient, auth: Callable[..., Headers]
) -> None:
    bad = {"Authorization": "Bearer hy_not-a-token"}
    answers = [strict_client.get("/appeals", headers=bad).status_code for _ in range(3)]
    good = auth("throttled-clerk", Role.UNION_STAFF)

    refused = strict_client.get("/appeals", headers=good)

    assert answers == [401, 401, 401]
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["type"].endswith("/too-many-failed-logins")


def test_a_missing_token_is_401_and_costs_the_address_nothing(strict_client: TestClient) -> None:
    answers = [strict_client.get("/appeals").status_code for _ in range(5)]

    assert answers == [401] * 5


def test_an_unknown_token_is_remembered_and_asked_of_the_database_once(
    services: Services,
) -> None:
    store = services.store
    assert store.lookup_token("hy_guessed-once") is None
    pool, store.pool = store.pool, None  # type: ignore[assignment]  # any query would fail
    try:
        assert store.lookup_token("hy_guessed-once") is None
    finally:
        store.pool = pool


def test_an_expired_token_is_refused_saying_when_it_expired(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    services.casework.directory.grant("expiring-clerk", Role.UNION_STAFF, actor=SETUP)
    token = services.credentials.issue(
        "expiring-clerk", Role.UNION_STAFF, expires_at=clock() + timedelta(hours=1)
    ).token
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/appeals", headers=headers).status_code == 200

    clock.set(clock() + timedelta(hours=2))
    refused = client.get("/appeals", headers=headers)

    assert refused.status_code == 401
    assert "expired at" in refused.json()["detail"]


def test_a_token_is_issued_only_for_a_role_the_directory_gives(services: Services) -> None:
    with pytest.raises(InvalidInput, match="holds no committee role in the directory"):
        services.credentials.issue("not-on-the-committee", Role.COMMITTEE)
    with pytest.raises(InvalidInput, match="service's own"):
        services.credentials.issue("huiyin", Role.SYSTEM)
    assert services.credentials.issue("E55501", Role.EMPLOYEE).record.role is Role.EMPLOYEE

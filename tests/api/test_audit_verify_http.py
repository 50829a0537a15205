"""GET /audit/verify: any authenticated actor can check that no stored event was altered."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.actors import Role
from infrastructure.database import conninfo
from tests.api.conftest import Headers, named_appeal

PROBLEM = "application/problem+json"


def test_an_employee_sees_the_chain_intact_up_to_the_latest_event(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> None:
    position = client.post("/appeals", json=named_appeal(), headers=staff).json()["position"]
    services.chain.catch_up()

    response = client.get("/audit/verify", headers=auth("E10234", Role.EMPLOYEE))

    assert response.status_code == 200
    body = response.json()
    assert body["intact"] is True
    assert body["first_mismatch"] is None
    assert body["head"]["position"] >= position
    assert len(bytes.fromhex(body["head"]["link"])) == 32
    assert body["checked"] >= 1
    assert body["unchained"] >= 0


def test_a_tampered_link_is_named_with_its_case_and_version(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> None:
    # The shared session's events stay untouched (view runners read them); altering the
    # chain's own row is caught the same way. Changed event bytes: tests/integration.
    raised = client.post("/appeals", json=named_appeal(), headers=staff).json()
    client.post("/appeals", json=named_appeal(), headers=staff)
    services.chain.catch_up()

    with psycopg.connect(conninfo(services.database_url), autocommit=True) as db:
        row = db.execute(
            "SELECT link FROM huiyin_chain WHERE position = %s", (raised["position"],)
        ).fetchone()
        assert row is not None
        db.execute(
            "UPDATE huiyin_chain SET link = sha256('forged') WHERE position = %s",
            (raised["position"],),
        )
        try:
            response = client.get("/audit/verify", headers=auth("auditor-1", Role.AUDITOR))
        finally:
            db.execute(
                "UPDATE huiyin_chain SET link = %s WHERE position = %s",
                (row[0], raised["position"]),
            )

    assert response.status_code == 200
    body = response.json()
    assert body["intact"] is False
    mismatch = body["first_mismatch"]
    assert mismatch["position"] == raised["position"]
    assert mismatch["kind"] == "link-altered"
    assert mismatch["originator_id"] == raised["id"]
    assert mismatch["originator_version"] == 1
    assert mismatch["expected"] != mismatch["found"]
    assert client.get("/audit/verify", headers=staff).json()["intact"] is True


def test_checking_the_chain_needs_a_token(client: TestClient) -> None:
    response = client.get("/audit/verify")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_a_printed_head_is_checked_against_the_store(
    client: TestClient, staff: Headers, services: Services
) -> None:
    client.post("/appeals", json=named_appeal(), headers=staff)
    services.chain.catch_up()
    head = services.chain.head()

    held = client.get(
        "/audit/verify", params={"position": head.position, "link": head.link}, headers=staff
    )
    other = client.get(
        "/audit/verify", params={"position": head.position, "link": "0" * 64}, headers=staff
    )

    assert held.status_code == 200
    assert held.json()["printed"] == {
        "position": head.position,
        "link": head.link,
        "stored": head.link,
        "verdict": "confirmed",
        "confirmed": True,
        "detail": held.json()["printed"]["detail"],
    }
    assert other.json()["printed"]["verdict"] == "rewritten"
    assert other.json()["printed"]["confirmed"] is False
    assert other.json()["printed"]["stored"] == head.link
    assert client.get("/audit/verify", headers=staff).json()["printed"] is None


def test_a_printed_head_needs_a_position_and_a_well_formed_link(
    client: TestClient, staff: Headers
) -> None:
    cases = [
        ({"position": 3}, "query.position, query.link"),
        ({"link": "ab" * 32}, "query.position, query.link"),
        ({"position": 3, "link": "xyz"}, "query.link"),
    ]
    for params, field in cases:
        response = client.get("/audit/verify", params=params, headers=staff)

        assert response.status_code == 422, params
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"].startswith(field)
    negative = client.get(
        "/audit/verify", params={"position": -1, "link": "ab" * 32}, headers=staff
    )
    assert negative.status_code == 422
    assert negative.headers["content-type"] == PROBLEM

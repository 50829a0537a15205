"""What the OpenAPI document promises, held against the answers: errors as problem+json,
moments the service can hold, the methods a path allows. (`python -m tests.contract.run`
fuzzes every operation against the document as every role.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import Headers

PROBLEM = "application/problem+json"
DOCUMENT: dict[str, Any] = create_app().openapi()
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
]


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[n for n, _ in OPERATIONS])
def test_every_error_an_operation_declares_is_a_problem_document(
    name: str, operation: dict[str, Any]
) -> None:
    errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}

    assert {"414", "422", "429", "431", "503"} <= set(errors), name
    for code, response in errors.items():
        assert list(response["content"]) == [PROBLEM], f"{name} {code}"
    if operation["x-permission"] not in ("public",):
        assert "401" in errors, name


def test_every_operation_is_named_for_what_it_does_once() -> None:
    ids = [operation["operationId"] for _, operation in OPERATIONS]

    assert len(ids) == len(set(ids))
    assert {"raise_appeal", "transfer", "reply", "get_appeal"} <= set(ids)


def test_every_schema_has_a_plain_name_a_generated_client_can_use() -> None:
    names = list(DOCUMENT["components"]["schemas"])

    assert [name for name in names if not name.isidentifier() or "__" in name] == []


def test_what_a_request_creates_links_to_what_can_be_done_with_it() -> None:
    raise_appeal = DOCUMENT["paths"]["/appeals"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in raise_appeal.values()}
    operation_ids = {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, methods in DOCUMENT["paths"].items()
        for method, operation in methods.items()
    }

    named = {operation_ids[target] for target in targets}
    assert {"GET /appeals/{appeal_id}", "POST /appeals/{appeal_id}/transfer"} <= named
    assert all(
        link["parameters"] == {"appeal_id": "$response.body#/id"} for link in raise_appeal.values()
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01T00:00:00+14:00", "between 1900-01-01 and 9999-12-30"),
        ("9999-12-31T23:00:00-10:00", "between 1900-01-01 and 9999-12-30"),
        ("17179869183", "not a number"),
        ("-1.3964329838806895e-257", "not a number"),  # found by schemathesis: read as 1970
        (".5", "not a number"),
        ("2026-12-01T10:00:00", "needs a time zone"),
    ],
)
def test_a_moment_outside_what_the_service_holds_is_a_422_naming_the_field(
    client: TestClient, staff: Headers, value: str, message: str
) -> None:
    for path in ("/metrics/appeals", "/metrics/penalties", "/metrics/action-items"):
        response = client.get(path, params={"as_of": value}, headers=staff)

        assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
        [error] = response.json()["errors"]
        assert error["field"] == "query.as_of"
        assert message in error["message"]


def test_an_empty_period_is_refused_not_read_as_this_month(
    client: TestClient, staff: Headers
) -> None:
    response = client.get("/metrics/appeals", params={"period": ""}, headers=staff)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("period:")


def test_a_method_the_path_does_not_answer_lists_every_one_it_does(
    client: TestClient, staff: Headers
) -> None:
    response = client.request("DELETE", "/disclosures", headers=staff)

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["Allow"] == "GET, POST"

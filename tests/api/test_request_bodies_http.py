"""What a command's body must be: JSON, declared as JSON, well formed — and what a client
hears when it is not: a problem naming `body`, never a character offset as a field."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from domain import limits
from tests.api.conftest import Headers, named_appeal

PROBLEM = "application/problem+json"
BODY = json.dumps(named_appeal()).encode()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_declared_as_json_is_415_saying_what_to_send(
    client: TestClient, staff: Headers, content_type: str | None
) -> None:
    headers = {**staff, **({"Content-Type": content_type} if content_type else {})}

    response = client.post("/appeals", content=BODY, headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (415, PROBLEM)
    assert response.headers["Accept-Post"] == "application/json"
    assert response.json()["errors"][0]["field"] == "body"
    assert "Content-Type: application/json" in response.json()["detail"]


def test_the_same_body_declared_as_json_is_accepted(client: TestClient, staff: Headers) -> None:
    headers = {**staff, "Content-Type": "application/json; charset=utf-8"}

    assert client.post("/appeals", content=BODY, headers=headers).status_code == 201


def test_malformed_json_is_400_naming_the_body_and_where_it_broke(
    client: TestClient, staff: Headers
) -> None:
    headers = {**staff, "Content-Type": "application/json"}

    response = client.post("/appeals", content=b'{"text": ', headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM)
    [error] = response.json()["errors"]
    assert error["field"] == "body"
    assert error["message"] == "not well-formed JSON: Expecting value at character 9"


@pytest.mark.parametrize("content", [b"", b"[1]", b'"text"'])
def test_a_body_that_is_not_an_object_is_422_on_the_body(
    client: TestClient, staff: Headers, content: bytes
) -> None:
    headers = {**staff, "Content-Type": "application/json"}

    response = client.post("/appeals", content=content, headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_a_text_over_its_limit_is_refused_even_if_trimming_would_bring_it_under(
    client: TestClient, staff: Headers
) -> None:
    padded = " " + "题" * limits.TITLE  # one over, though trimmed it would fit

    response = client.post("/appeals", json=named_appeal(title=padded), headers=staff)
    fits = client.post("/appeals", json=named_appeal(title=padded[1:]), headers=staff)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["title"]
    assert fits.status_code == 201

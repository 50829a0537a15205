"""Every route of the OpenAPI document, sent hostile values: never a 5xx, and every 4xx a
problem+json document. One test per route, so a failure names it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from domain.access import Reach
from domain.actors import Role
from domain.policy import POLICY, Permission
from domain.terms import Tier
from tests.api.conftest import Headers

#: Text for path and query parameters: empty, huge, NUL, injections, odd numbers and times.
HOSTILE_TEXT = [
    "",
    "x" * 5000,
    "a\x00b",
    "%",
    "' OR 1=1--",
    "😀",
    "-1",
    "9" * 30,
    "1e309",
    "NaN",
    "2026-13-45",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "2026-01-01T00:00:00+25:00",
    "../..",
]
#: Raw query strings that are not valid UTF-8 or hold an encoded NUL.
HOSTILE_RAW = ["%ff%fe", "%00"]
#: JSON values for whole bodies and for each field of a body.
HOSTILE_JSON: list[Any] = [
    None,
    "",
    "x" * 5000,
    "\x00",
    -1,
    2**70,
    1e308,
    True,
    [],
    {},
    "2026-13-45",
    "0001-01-01T00:00:00+14:00",
]
#: Fewer for each field of a body (a body has many): wrong type, too long, NUL, overflow.
HOSTILE_FIELD: list[Any] = [None, "x" * 5000, "\x00", 2**70, [], {}]


#: The API's own description of its routes (built without starting anything).
OPENAPI: dict[str, Any] = create_app().openapi()

ROUTES = [
    (method.upper(), path, operation)
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
]


@pytest.fixture(scope="module")
def module_client(services: Services) -> Iterator[TestClient]:
    """A client that reports a server error as a response, not an exception."""
    with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
        yield client


def _requests(path: str, operation: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(url, request arguments) for each hostile value in each place the route takes one."""
    parameters = operation.get("parameters", [])
    names = [p["name"] for p in parameters if p["in"] == "path"]
    queries = [p["name"] for p in parameters if p["in"] == "query"]

    def filled(value: str) -> str:
        url = path
        for name in names:
            url = url.replace("{" + name + "}", value)
        return url

    base = filled(str(uuid.uuid4()))
    if names:
        yield filled("%ff%fe"), {}
        for text in HOSTILE_TEXT:
            yield filled(quote(text, safe="")), {}
    for name in queries:
        for text in HOSTILE_TEXT:
            yield base, {"params": {name: text}}
        for raw in HOSTILE_RAW:
            yield f"{base}?{name}={raw}", {}
        yield base, {"params": [(name, "1"), (name, "2")]}
    if "requestBody" in operation:
        for value in HOSTILE_JSON:
            yield base, {"json": value}
        yield base, {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
        yield base, {"content": b"\xff\xfe", "headers": {"Content-Type": "application/json"}}
        schema = operation["requestBody"]["content"].get("application/json", {}).get("schema", {})
        fields = _schema(schema).get("properties", {})
        for field in fields:
            for value in HOSTILE_FIELD:
                yield base, {"json": {field: value}}


def _holder(permission: str) -> tuple[Any, ...]:
    """Arguments of `auth` for someone whose role holds the route's permission, so that the
    hostile values reach the route itself (any role will do for the others)."""
    if permission not in {p.value for p in Permission}:
        return ("hostile-input-clerk", Role.UNION_STAFF)
    grants = POLICY[Permission(permission)].grants
    role = next((r for r, reach in grants.items() if Reach.ANY in reach), next(iter(grants)))
    scope = {
        Role.DEPARTMENT: {"departments": ["后勤服务中心"]},
        Role.SUPERVISOR: {"tiers": [Tier.WORKERS]},
    }
    return (f"hostile-input-{role.value}", role, scope.get(role, {}))


def _schema(schema: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if not reference:
        return schema
    found: dict[str, Any] = OPENAPI["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    return found


@pytest.mark.parametrize(
    ("method", "path", "operation"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_hostile_input_gets_a_problem_never_a_server_error(
    module_client: TestClient,
    auth: Callable[..., Headers],
    method: str,
    path: str,
    operation: dict[str, Any],
) -> None:
    person, role, *scope = _holder(operation.get("x-permission", ""))
    caller = auth(person, role, **(scope[0] if scope else {}))
    failures = []
    for url, arguments in _requests(path, operation):
        headers = {**caller, **arguments.pop("headers", {})}
        response = module_client.request(method, url, headers=headers, **arguments)
        kind = response.headers.get("content-type", "")
        if response.status_code >= 500 or (
            response.status_code >= 400 and "application/problem+json" not in kind
        ):
            failures.append((response.status_code, url[:80], str(arguments)[:80]))

    assert failures == []

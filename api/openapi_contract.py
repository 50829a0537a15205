"""What the OpenAPI document promises each operation answers: every status it can return,
every error as `application/problem+json` (RFC 9457), and links from what a request creates
to what can be done with it next.

FastAPI writes each route's successful answer (and the media types a route declares, such as
CSV, JSON Lines or Atom). The error answers are added here from what the route is built of,
so that the document follows the code: a route with a body may answer 413, 415 and 422; one
that takes `If-Match`, 400 and 412; one that names a permission, 401 and 403; one with a case
in its path, 404; a command, 409; every route 414 and 431 (the connection's limits, answered
by `api/http_transport.py`), 429 (rate limits) and 503 (the database, or a view asked to
wait, did not answer in time). The contract test runs schemathesis against a
live server to hold the code to it (`tests/contract`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from api.deps import expected_version, idempotency_key
from api.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

#: The problem document every error answer carries.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error, as RFC 9457 describes it; `type` names the kind of problem.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["https://huiyin.local/problems/not-found"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "each value that was wrong, and why",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "permission": {"type": "string", "description": "the permission a 403 needed"},
        "state": {"type": "string", "description": "the case's state a 409 refused"},
        "action": {"type": "string"},
        "people": {"type": "array", "items": {"type": "string"}},
    },
}

#: What each error status means here.
WHY: dict[int, str] = {
    400: "A header or parameter is malformed (If-Match, Idempotency-Key, a time range).",
    401: "No valid token (unknown, revoked, expired, or a role the directory no longer gives).",
    403: "The role lacks the permission, or it does not reach this case (`permission` names it).",
    404: "No such case (or not yet at the version or moment asked for).",
    409: "Not allowed in the case's current state, or another request changed it at once.",
    412: "`If-Match` names a version the case is no longer at; `ETag` gives the current one.",
    413: "The request body is larger than the service accepts.",
    415: "The body is not JSON (send `Content-Type: application/json`).",
    422: "A value breaks a rule; `errors` names each field and why.",
    414: "The request line is longer than the service reads (`HUIYIN_MAX_REQUEST_LINE_BYTES`).",
    429: "Too many requests; `Retry-After` says when to try again.",
    431: "The request's headers are larger than the service reads (`HUIYIN_MAX_HEADER_BYTES`).",
    503: "The database, or a view asked to wait (`after`), did not answer in time; retry.",
}


def problem_response(status: int) -> dict[str, Any]:
    """The documented answer of one error status."""
    return {"description": WHY[status], "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def statuses_of(route: APIRoute, permission: str) -> set[int]:
    """Every error status a route can answer, from what it is built of."""
    calls = set(_calls(route.dependant))
    statuses = {414, 422, 429, 431, 503}  # 414, 431: `api/http_transport.py`
    if permission != "public":
        statuses.add(401)
        if permission != "authenticated":
            statuses.add(403)
    if route.dependant.path_params:
        statuses.add(404)
    if route.dependant.query_params or route.dependant.header_params:
        statuses.add(400)
    if route.body_field is not None:
        statuses |= {400, 413, 415}  # 400: a body that is not JSON at all
    if expected_version in calls:
        statuses |= {400, 412}
    if idempotency_key in calls:
        statuses.add(400)
    if (route.methods or set()) - {"GET", "HEAD"}:
        statuses |= {404, 409}
    return statuses


#: Operations that create a case → (the path its reads and commands start with, the path
#: parameter naming it): each gets links to all of them, fed from the answer's `id`.
CREATES: dict[tuple[str, str], tuple[str, str]] = {
    ("post", "/appeals"): ("/appeals/{appeal_id}", "appeal_id"),
    ("post", "/meetings/{meeting_id}/appeals"): ("/appeals/{appeal_id}", "appeal_id"),
    ("post", "/meetings"): ("/meetings/{meeting_id}", "meeting_id"),
    ("post", "/meetings/{meeting_id}/action-items"): ("/action-items/{item_id}", "item_id"),
    ("post", "/meetings/{meeting_id}/proposals"): ("/proposals/{proposal_id}", "proposal_id"),
    ("post", "/penalties"): ("/penalties/{penalty_id}", "penalty_id"),
    ("post", "/disclosures"): ("/disclosures/{disclosure_id}", "disclosure_id"),
    ("post", "/idea-reviews"): ("/idea-reviews/{review_id}", "review_id"),
    ("post", "/competitions"): ("/competitions/{competition_id}", "competition_id"),
    ("post", "/collaboration-reviews"): ("/collaboration-reviews/{review_id}", "review_id"),
    ("post", "/people/{subject}/erasure"): ("/erasures/{erasure_id}", "erasure_id"),
    ("post", "/webhooks"): ("/webhooks/{endpoint_id}", "endpoint_id"),
}


def links_of(document: dict[str, Any], base: str, parameter: str) -> dict[str, Any]:
    """Links from a creating operation to every operation on what it created."""
    links: dict[str, Any] = {}
    for path, methods in document["paths"].items():
        if path != base and not path.startswith(base + "/"):
            continue
        for method, operation in methods.items():
            name = f"{method.upper()} {path}".replace("{", "").replace("}", "")
            links[_link_name(name)] = {
                "operationId": operation["operationId"],
                "parameters": {parameter: "$response.body#/id"},
            }
    return links


def _link_name(text: str) -> str:
    """A link's name: letters, digits, `.`, `-` and `_` only (OpenAPI's rule)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text).strip("_")


def install_contract(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Makes the app's OpenAPI document state every answer of the routes of `routers`
    (included without a prefix), computed once, on first ask."""
    routes = [route for router in routers for route in router.routes]

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _complete(app, routes)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def _complete(app: FastAPI, app_routes: list[BaseRoute]) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    routes = {
        (method.lower(), route.path_format): route
        for route in app_routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            route = routes[(method, path)]
            responses = operation.setdefault("responses", {})
            permission = operation.get("x-permission", "public")
            for status in sorted(statuses_of(route, permission)):
                responses[str(status)] = problem_response(status)
            created = CREATES.get((method, path))
            if created is not None:
                success = next(code for code in ("201", "200") if code in responses)
                responses[success]["links"] = links_of(document, *created)
    return document

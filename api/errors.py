"""The one place where errors become HTTP problem responses (RFC 9457, problem+json)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from api.body_limit import BodyTooLarge
from domain.errors import (
    ActionNotAllowed,
    ConcurrentWrite,
    DomainError,
    InvalidInput,
    KeyReused,
    NotFound,
    NotPermitted,
    PersonErased,
    RepeatParticipants,
    StaleVersion,
    Unauthenticated,
)
from domain.policy import Forbidden
from infrastructure.pools import UNAVAILABLE

log = logging.getLogger("huiyin")

PROBLEM_JSON = "application/problem+json"
STALE_TITLE = "It has changed since the version you sent"
PROBLEM_BASE = "https://huiyin.local/problems/"
#: Where the web pages live: their errors are pages, not problem+json.
WEB_PREFIX = "/web"

#: Domain error class → (HTTP status, problem type slug, title). Most specific first.
DOMAIN_PROBLEMS: list[tuple[type[DomainError], int, str, str]] = [
    (
        RepeatParticipants,
        422,
        "repeat-participants",
        "Already reached by a talk of this tier; give an override reason",
    ),
    (InvalidInput, 422, "invalid-input", "The request breaks a rule about its values"),
    (
        KeyReused,
        422,
        "idempotency-key-reused",
        "The idempotency key was used for a different request",
    ),
    (ActionNotAllowed, 409, "action-not-allowed", "Not allowed in the current state"),
    (PersonErased, 409, "person-erased", "The person this case is about was erased"),
    (Forbidden, 403, "forbidden", "The policy does not give you this permission here"),
    (NotPermitted, 403, "not-permitted", "Not permitted for this actor"),
    (Unauthenticated, 401, "unauthenticated", "Authentication required"),
    (NotFound, 404, "not-found", "Not found"),
    (StaleVersion, 412, "stale-version", STALE_TITLE),
    (ConcurrentWrite, 409, "concurrent-write", "Another request changed it at the same time"),
]


class ApiProblem(Exception):
    """An HTTP-level problem raised by the API layer itself (auth, headers, parameters)."""

    def __init__(
        self, status: int, slug: str, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers or {}


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    request: Request,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response; on a web page's path, the same problem as a page
    (`api.web.errors`), so the pages share this one mapping of errors to statuses."""
    page = getattr(request.app.state, "problem_page", None)
    path = request.url.path
    if page is not None and (path == WEB_PREFIX or path.startswith(WEB_PREFIX + "/")):
        response: Response = page(request, status, title, detail, headers or {})
        return response
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StaleVersion):  # the precondition failed: say what it is now
        etag = {"ETag": f'"{exc.actual}"'}
        return problem(412, "stale-version", STALE_TITLE, str(exc), request, headers=etag)
    if isinstance(exc, ConcurrentWrite) and request.headers.get("if-match"):
        return _precondition_lost(request, exc)
    for cls, status, slug, title in DOMAIN_PROBLEMS:
        if isinstance(exc, cls):
            extra: dict[str, Any] = {}
            if isinstance(exc, InvalidInput):
                extra["errors"] = [{"field": exc.field, "message": exc.reason}]
            if isinstance(exc, RepeatParticipants):
                extra["people"] = list(exc.people)
            if isinstance(exc, ActionNotAllowed):
                extra.update(state=exc.state, action=exc.action)
            if isinstance(exc, Forbidden):
                extra["permission"] = exc.permission.value
            return problem(status, slug, title, str(exc), request, **extra)
    return problem(422, "domain-rule", "A domain rule refused the request", str(exc), request)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101  # registered for this type
    unreadable = _unreadable_body(request, exc)
    if unreadable is not None:
        return unreadable
    errors = [
        {
            "field": ".".join(str(part) for part in err["loc"] if part != "body") or "body",
            "message": err["msg"],
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        422, "invalid-request", "The request is not valid", detail, request, errors=errors
    )


def _unreadable_body(request: Request, exc: RequestValidationError) -> Response | None:
    """415 for a body that is not declared as JSON, 400 for one that does not parse."""
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "json_invalid" and loc[:1] == ("body",):
            at = f" at character {loc[1]}" if len(loc) > 1 else ""
            message = f"not well-formed JSON: {err.get('ctx', {}).get('error', 'invalid')}{at}"
            return problem(
                400,
                "malformed-json",
                "The body is not well-formed JSON",
                f"body: {message}",
                request,
                errors=[{"field": "body", "message": message}],
            )
        if loc == ("body",) and isinstance(err.get("input"), bytes):
            sent = request.headers.get("content-type") or "no Content-Type"
            return problem(
                415,
                "unsupported-media-type",
                "The body must be JSON",
                f"send the body as JSON with 'Content-Type: application/json' (got {sent})",
                request,
                headers={"Accept-Post": "application/json"},
                errors=[{"field": "body", "message": f"not JSON ({sent})"}],
            )
    return None


async def _api_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)  # noqa: S101  # registered for this type
    return problem(exc.status, exc.slug, exc.title, exc.detail, request, headers=exc.headers)


async def _body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)  # noqa: S101  # registered for this type
    return problem(413, "body-too-large", "The request body is too large", exc.detail, request)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101  # registered for this type
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Every method the path answers, not only those of the first route matching it.
        allowed = allowed_methods(request.app.routes, request.url.path)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return problem(
        exc.status_code, slug, str(exc.detail), str(exc.detail), request, headers=headers
    )


def allowed_methods(routes: Sequence[BaseRoute], path: str) -> list[str]:
    """The methods of every route whose path template matches `path` (routers included)."""
    found: set[str] = set()
    for route in _flattened(routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            found |= set(getattr(route, "methods", None) or ())
    return sorted(found)


def _flattened(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    flat: list[BaseRoute] = []
    for route in routes:
        router = getattr(route, "original_router", None)  # an included router (FastAPI 0.165)
        flat.extend(_flattened(router.routes) if router is not None else [route])
    return flat


def _precondition_lost(request: Request, exc: ConcurrentWrite) -> Response:
    """A command sent with If-Match that lost a race to another at the same version: its
    precondition no longer holds (412, as if it had arrived a moment later), with the case's
    version now as the ETag."""
    headers: dict[str, str] = {}
    version = _version_now(request, exc.case_id)
    if version is not None:
        headers["ETag"] = f'"{version}"'
    detail = f"{exc}; it is at version {version} now" if version else str(exc)
    return problem(412, "stale-version", STALE_TITLE, detail, request, headers=headers)


def _version_now(request: Request, case_id: UUID | None) -> int | None:
    if case_id is None:
        return None
    recorder = request.app.state.services.casework.recorder
    events = recorder.select_events(case_id, desc=True, limit=1)
    return int(events[0].originator_version) if events else None


#: Seconds a client is asked to wait before retrying while the database is unavailable.
RETRY_AFTER_UNAVAILABLE = 5


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """503 while the database cannot be reached. What went wrong is logged, not sent: it
    names hosts and ports, and some routes answer anyone. The log names the route, not the
    path: a path may hold a receipt code (the access line beside it shows it redacted)."""
    route = getattr(request.scope.get("route"), "path", "(no route)")
    log.warning("%s %s: database unavailable: %s", request.method, route, exc)
    return problem(
        503,
        "database-unavailable",
        "The database is unavailable",
        "the database did not answer in time; retry in a few seconds",
        request,
        headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Registers the mappings above on the app."""
    for unavailable in UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(BodyTooLarge, _body_too_large)

"""The one place where errors become HTTP problem responses (RFC 9457, problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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
PROBLEM_BASE = "https://huiyin.local/problems/"

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
    (StaleVersion, 412, "stale-version", "It has changed since the version you sent"),
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
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
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


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101  # registered for this type
    errors = [
        {
            "field": ".".join(str(part) for part in err["loc"] if part != "body"),
            "message": err["msg"],
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        422, "invalid-request", "The request is not valid", detail, request, errors=errors
    )


async def _api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)  # noqa: S101  # registered for this type
    return problem(exc.status, exc.slug, exc.title, exc.detail, request, headers=exc.headers)


async def _body_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)  # noqa: S101  # registered for this type
    return problem(413, "body-too-large", "The request body is too large", exc.detail, request)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101  # registered for this type
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem(
        exc.status_code,
        slug,
        str(exc.detail),
        str(exc.detail),
        request,
        headers=dict(exc.headers or {}),
    )


#: Seconds a client is asked to wait before retrying while the database is unavailable.
RETRY_AFTER_UNAVAILABLE = 5


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
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

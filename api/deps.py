"""Typed dependencies: the services, the authenticated actor, version preconditions."""

from __future__ import annotations

import re
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from api.bootstrap import Services
from api.errors import ApiProblem
from application.accountability import Accountability
from application.casework import Casework
from application.disclosures import Disclosures
from application.idempotency import KEY_PATTERN, KEY_RULE
from application.meetings import Meetings
from application.monthly_reports import MonthlyReports
from application.reviews import Reviews
from domain.errors import InvalidInput, NotFound
from domain.values import NUL_REFUSED
from infrastructure.chain import ChainKeeper
from infrastructure.pools import UNAVAILABLE
from infrastructure.replay import holds_nul
from infrastructure.store import SupportStore
from infrastructure.view_host import Views
from infrastructure.views import PostgresView
from projections.view import APPLICATION_NAME

T = TypeVar("T")


async def refuse_nul(request: Request) -> None:
    """Refuses a path or query parameter holding the NUL character, as `Body` refuses it in
    a request body: no text column can hold it (the query would fail with a 500)."""
    errors = [
        {"type": "value_error", "loc": (where, name), "msg": NUL_REFUSED, "input": value}
        for where, items in (
            ("path", request.path_params.items()),
            ("query", request.query_params.multi_items()),
        )
        for name, value in items
        if holds_nul(value)
    ]
    if errors:
        raise RequestValidationError(errors)


async def get_services(request: Request) -> Services:
    """The services built by the app's lifespan."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_casework(services: ServicesDep) -> Casework:
    """The Casework application."""
    return services.casework


async def get_store(services: ServicesDep) -> SupportStore:
    """Huiyin's own tables (tokens, case numbers)."""
    return services.store


async def get_meetings(services: ServicesDep) -> Meetings:
    """The meeting, action item and proposal use cases."""
    return services.meetings


CaseworkDep = Annotated[Casework, Depends(get_casework)]
MeetingsDep = Annotated[Meetings, Depends(get_meetings)]
StoreDep = Annotated[SupportStore, Depends(get_store)]


async def get_reviews(services: ServicesDep) -> Reviews:
    """The golden-idea, skill competition and collaboration review use cases."""
    return services.reviews


ReviewsDep = Annotated[Reviews, Depends(get_reviews)]


async def get_chain(services: ServicesDep) -> ChainKeeper:
    """The tamper-evidence hash chain over the event sequence."""
    return services.chain


ChainDep = Annotated[ChainKeeper, Depends(get_chain)]


async def get_accountability(services: ServicesDep) -> Accountability:
    """The penalty and red/yellow card use cases (考核问责)."""
    return services.accountability


AccountabilityDep = Annotated[Accountability, Depends(get_accountability)]


#: What `If-Match` may hold: `*`, or one entity tag (RFC 9110 §13.1.1).
IF_MATCH = re.compile(r'\*|(W/)?"([0-9]{1,9})"')

#: The version a weak entity tag stands for: none (If-Match compares strongly: RFC 9110
#: §13.1.1), so the precondition fails (412) whatever the case's version. Below every
#: version, so that `"0"` (a strong tag no case ever had) is told apart from it.
NEVER = -1


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='the strong ETag of the version you acted on, e.g. "3" (quotes '
            "included); a stale one, or a weak one (W/), is 412",
            json_schema_extra={"pattern": r'^(\*|"[0-9]{1,9}")$'},
        ),
    ] = None,
) -> int | None:
    """The version named by an If-Match header, if any."""
    if if_match is None:
        return None
    match = IF_MATCH.fullmatch(if_match.strip())
    if match is None:
        raise ApiProblem(
            400,
            "invalid-if-match",
            "Malformed If-Match header",
            "If-Match must be one ETag as the ETag header gives it, quotes included, such as"
            f' "3" (or *); got {if_match[:40]!r}',
        )
    if match.group(0) == "*":
        return None
    return NEVER if match.group(1) else int(match.group(2))


ExpectedVersionDep = Annotated[int | None, Depends(expected_version)]


async def idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            description="a key unique to this request (a random UUID will do): sent again "
            "with the same key, the request creates nothing new and answers with what the "
            f"first created. {KEY_RULE}",
            examples=["3f1c9a52-8d7e-4b1a-9c3e-2f6d5b7a8e90"],
            json_schema_extra={"pattern": "^[!-~]{16,255}$"},
        ),
    ] = None,
) -> str | None:
    """The key of an Idempotency-Key header, if any."""
    if idempotency_key is None:
        return None
    if not KEY_PATTERN.fullmatch(idempotency_key):
        raise ApiProblem(
            400,
            "invalid-idempotency-key",
            "Malformed Idempotency-Key header",
            f"Idempotency-Key must be {KEY_RULE}; got {len(idempotency_key)} characters",
        )
    return idempotency_key


IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]


def replayed(response: Response, was: bool) -> None:
    """Marks the answer to a request sent again with its idempotency key."""
    if was:
        response.headers[REPLAYED_HEADER] = "true"


#: Set (to `true`) on the answer to a creating request sent again with its key.
REPLAYED_HEADER = "Idempotent-Replayed"


def etag(version: int) -> str:
    """The ETag of a version (of an appeal, meeting, action item or proposal)."""
    return f'"{version}"'


async def get_views(services: ServicesDep) -> Views:
    """The projections' views (read models) and their runners."""
    return services.views


ViewsDep = Annotated[Views, Depends(get_views)]

AfterQuery = Annotated[
    int | None,
    Query(
        ge=0,
        description="a position from a command's response: wait (bounded) until this view "
        "has applied it, so you read your own writes",
        examples=[1234],
    ),
]


def wait_for_view(services: Services, name: str, after: int | None) -> int:
    """Waits until the view that reads will be answered from has applied `after` (see
    `read_view`); returns its position, which responses report."""
    return read_view(services, name, PostgresView, after)[1]


def read_view(services: Services, name: str, kind: type[T], after: int | None) -> tuple[T, int]:
    """The view to answer a read from, once it has applied `after`, and its position.

    Which database it is on (a read replica, or the primary) is `Views.reader`'s decision;
    the wait and the query use the same view, so `?after=` reads your own writes either way.
    503 if the view does not apply `after` within `read_wait_seconds`; 422 at once if no
    event has that position yet (no command returned it: waiting is futile). A replica that
    fails here is left for the primary (`ReadReplica`), and the read answered there.
    """
    view = services.views.reader(name)
    try:
        position = _waited(services, view, name, after)
    except UNAVAILABLE as error:
        if not services.views.on_replica(view):
            raise
        services.views.replica_failed(error)
        view = services.views.get(name)
        position = _waited(services, view, name, after)
    if not isinstance(view, kind):
        raise TypeError(f"view {name} is a {type(view).__name__}, not a {kind.__name__}")
    return view, position


def _waited(services: Services, view: PostgresView, name: str, after: int | None) -> int:
    if after is not None:
        # The head is the primary's: a position a command returned is there first.
        head = services.views.head()
        if after > head:
            raise ApiProblem(
                422,
                "position-ahead",
                "No event has that position yet",
                f"position {after} is past the newest event ({head}); send a position"
                " from a command's response",
            )
        try:
            view.wait(APPLICATION_NAME, after, timeout=services.settings.read_wait_seconds)
        except TimeoutError:
            raise _behind(services, view, name, after) from None
    return view.position()


def _behind(services: Services, view: PostgresView, name: str, after: int) -> ApiProblem:
    """The 503 of a view that did not apply `after` in time, saying why if known."""
    wait = services.settings.read_wait_seconds
    stopped = services.views.stopped(name)
    if stopped is not None:
        why = (
            f"; its runner stopped at {stopped.at.isoformat()}: {stopped.error}"
            " (GET /projections shows it; it retries by itself)"
        )
    elif services.views.on_replica(view):
        why = "; the read replica has not replayed it yet (GET /health shows its lag)"
    else:
        why = "; retry shortly"
    return ApiProblem(
        503,
        "view-behind",
        "The view has not caught up yet",
        f"view {name} has not applied position {after} within {wait:g} s{why}",
        {"Retry-After": "1"},
    )


async def get_disclosures(services: ServicesDep) -> Disclosures:
    """The disclosure (公示) use cases."""
    return services.disclosures


DisclosuresDep = Annotated[Disclosures, Depends(get_disclosures)]


async def get_monthly_reports(services: ServicesDep) -> MonthlyReports:
    """The monthly thought-dynamics report use cases."""
    return services.monthly_reports


MonthlyReportsDep = Annotated[MonthlyReports, Depends(get_monthly_reports)]


def department_code(
    services: Services, reference: str | None, field: str = "department", *, missing: int = 422
) -> str | None:
    """The code of the department a filter names (by code or name), or None for no filter;
    a department the directory does not know is 422 naming the field (or 404)."""
    if reference is None or not reference.strip():
        return None
    try:
        return services.casework.directory.department(reference, field).code
    except InvalidInput as unknown:
        if missing == 404:
            raise NotFound(unknown.reason) from None
        raise

"""Disclosures (公示): commands for the committee's review, and the public feeds.

Commands and the committee's queue need a token; the feeds under /public (JSON and Atom)
and the history of anything published do not: anyone may read what was made public.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from api.auth import bearer, get_actor, require
from api.deps import (
    AfterQuery,
    DisclosuresDep,
    ExpectedVersionDep,
    IdempotencyKeyDep,
    ServicesDep,
    department_code,
    etag,
    read_view,
)
from api.routes.meetings import done
from api.schemas.disclosures import (
    ATOM_MEDIA_TYPE,
    DisclosureCreate,
    DisclosureRead,
    DisclosureWithdrawIn,
    PublicPageRead,
    QueuePageRead,
    ReturnIn,
    ReviseIn,
    atom_feed,
)
from api.schemas.lists import decode_cursor
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead, event_read
from domain import limits
from domain.actors import Actor
from domain.disclosure import PUBLIC_STATUSES, DisclosureStatus, SubjectType
from domain.policy import Permission
from projections.disclosure_feed import DisclosureFeedView, FeedPage, FeedQuery

router = APIRouter(tags=["disclosures"])

VIEW = "disclosure_feed"
#: What the public feeds list: the domain's public states, in a steady order.
PUBLIC = tuple(sorted(PUBLIC_STATUSES))

DisclosureId = Annotated[UUID, "the disclosure's id"]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="entries per page")]
DepartmentFilter = Annotated[
    str | None, Query(max_length=limits.DEPARTMENT, description="entries concerning it")
]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _page(services: ServicesDep, query: FeedQuery, after: int | None) -> tuple[FeedPage, int]:
    view, position = read_view(services, VIEW, DisclosureFeedView, after)  # type: ignore[type-abstract]
    return view.list_entries(query), position


# -- commands ----------------------------------------------------------------------------


@router.post("/disclosures", status_code=status.HTTP_201_CREATED)
def propose(
    body: DisclosureCreate,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_PROPOSE)],
    disclosures: DisclosuresDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> ItemCommandRead:
    """Propose a disclosure for the committee's review (appeal answers bring their own text)."""
    result = disclosures.propose(
        subject_type=body.subject_type,
        subject=body.subject,
        title=body.title,
        body=body.body,
        departments=body.departments,
        actor=actor,
        key=key,
    )
    response.headers["Location"] = f"/disclosures/{result.id}"
    return done(result, response)


@router.post("/disclosures/{disclosure_id}/approve")
def approve(
    disclosure_id: DisclosureId,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_REVIEW)],
    disclosures: DisclosuresDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Approve (committee member, not the proposer); records the hash chain's head."""
    result = disclosures.approve(disclosure_id, actor=actor, expected_version=version)
    return done(result, response)


@router.post("/disclosures/{disclosure_id}/return")
def return_(
    disclosure_id: DisclosureId,
    body: ReturnIn,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_REVIEW)],
    disclosures: DisclosuresDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Return to the proposer with a reason (committee member, not the proposer)."""
    result = disclosures.return_(
        disclosure_id, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/disclosures/{disclosure_id}/revise")
def revise(
    disclosure_id: DisclosureId,
    body: ReviseIn,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_PROPOSE)],
    disclosures: DisclosuresDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Revise a returned disclosure; it goes back to the committee for review."""
    result = disclosures.revise(
        disclosure_id,
        title=body.title,
        body=body.body,
        departments=body.departments,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/disclosures/{disclosure_id}/publish")
def publish_disclosure(
    disclosure_id: DisclosureId,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_PUBLISH)],
    disclosures: DisclosuresDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Publish an approved disclosure now: the publication time is recorded."""
    result = disclosures.publish(disclosure_id, actor=actor, expected_version=version)
    return done(result, response)


@router.post("/disclosures/{disclosure_id}/withdraw")
def withdraw_disclosure(
    disclosure_id: DisclosureId,
    body: DisclosureWithdrawIn,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_WITHDRAW)],
    disclosures: DisclosuresDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Withdraw a published disclosure with a reason; the feeds show it as withdrawn."""
    result = disclosures.withdraw(
        disclosure_id, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


# -- reads -------------------------------------------------------------------------------


@router.get("/disclosures")
def queue(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_READ)],
    status: Annotated[
        list[DisclosureStatus] | None, Query(description="default: proposed (awaiting review)")
    ] = None,
    department: DepartmentFilter = None,
    subject_type: SubjectType | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> QueuePageRead:
    """The committee's queue: disclosures by status (proposed by default), newest first."""
    query = FeedQuery(
        statuses=tuple(status or [DisclosureStatus.PROPOSED]),
        department=department_code(services, department),
        subject_type=subject_type,
        after=decode_cursor(cursor),
        limit=limit,
    )
    page, position = _page(services, query, after)
    return QueuePageRead.of(page, position)


@router.get("/disclosures/{disclosure_id}")
def get_disclosure(
    disclosure_id: DisclosureId,
    actor: Annotated[Actor, require(Permission.DISCLOSURE_READ)],
    disclosures: DisclosuresDep,
    response: Response,
) -> DisclosureRead:
    """The disclosure as it stands; ETag is its version."""
    disclosure = disclosures.read(disclosure_id, actor)
    response.headers["ETag"] = etag(disclosure.version)
    return DisclosureRead.of(disclosure)


@router.get(
    "/disclosures/{disclosure_id}/history",
    openapi_extra={"x-permission": Permission.DISCLOSURE_READ.value, "x-public-when": "published"},
)
def disclosure_history(
    disclosure_id: DisclosureId,
    disclosures: DisclosuresDep,
    request: Request,
    services: ServicesDep,
    credentials: Credentials,
) -> ItemHistoryRead:
    """Every event of the disclosure: anyone may read it once published; before, only
    those who may read the committee's queue."""
    disclosure = disclosures.get(disclosure_id)
    if not disclosure.public:
        disclosures.read(disclosure_id, get_actor(request, services, credentials))
    events = [event_read(e) for e in disclosures.history(disclosure_id)]
    return ItemHistoryRead(id=disclosure.id, events=events)


@router.get("/public/disclosures")
def public_feed(
    services: ServicesDep,
    department: DepartmentFilter = None,
    subject_type: SubjectType | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> PublicPageRead:
    """Published disclosures (withdrawn ones marked so), newest first. No token needed."""
    query = FeedQuery(
        statuses=PUBLIC,
        department=department_code(services, department),
        subject_type=subject_type,
        after=decode_cursor(cursor),
        limit=limit,
    )
    page, position = _page(services, query, after)
    return PublicPageRead.of(page, position)


def _atom(
    services: ServicesDep,
    request: Request,
    department: str | None,
    limit: int,
    after: int | None,
) -> Response:
    code = department_code(services, department, "department", missing=404)
    query = FeedQuery(statuses=PUBLIC, department=code, limit=limit)
    page, _ = _page(services, query, after)
    xml = atom_feed(
        page.entries,
        self_url=str(request.url),
        base_url=str(request.base_url),
        department=code,
        department_name=services.casework.directory.department(code).name if code else None,
        empty_updated=services.casework.now(),
    )
    return Response(xml, media_type=ATOM_MEDIA_TYPE)


ATOM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {ATOM_MEDIA_TYPE: {}}, "description": "an Atom 1.0 feed"}
}


@router.get("/public/disclosures.atom", response_class=Response, responses=ATOM_RESPONSE)
def atom_overall(
    services: ServicesDep, request: Request, limit: Limit = 50, after: AfterQuery = None
) -> Response:
    """One Atom feed of every published disclosure, newest first. No token needed."""
    return _atom(services, request, None, limit, after)


@router.get(
    "/public/departments/{department}/disclosures.atom",
    response_class=Response,
    responses=ATOM_RESPONSE,
)
def atom_department(
    department: Annotated[str, "the department's code or name"],
    services: ServicesDep,
    request: Request,
    limit: Limit = 50,
    after: AfterQuery = None,
) -> Response:
    """The Atom feed of one department's published disclosures. No token needed."""
    return _atom(services, request, department.strip(), limit, after)

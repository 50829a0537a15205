"""工作台 · 公示审核 — the committee's disclosure review queue (`GET /disclosures`: proposals
awaiting review), with approve and return-with-a-reason as forms calling the same use cases
(`Disclosures.approve`, `.return_`). The use case refuses a member reviewing what they
proposed; the page does not offer them the buttons either (the queue says who proposed).
Below the queue, what the committee approved and awaits publication, with a publish button;
and the form a case page posts to propose its subject for disclosure (`Disclosures.propose`).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from api.deps import AfterQuery, ServicesDep
from api.routes.disclosures import queue
from api.web.deps import check_csrf, page_requires
from api.web.pages.sign_in import safe_next
from api.web.pages.workbench_parts import PAGE, REVIEWS, area_page
from api.web.rendering import redirect_after
from domain import limits
from domain.actors import Actor
from domain.disclosure import DisclosureStatus, SubjectType
from domain.errors import InvalidInput
from domain.policy import Permission

#: No prefix: the paths are the pages' full paths (`workbench_parts`), as links name them.
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

Cursor = Annotated[str | None, Query(max_length=200)]
Version = Annotated[int | None, Form(ge=1)]


def _queue_page(
    request: Request,
    services: ServicesDep,
    actor: Actor,
    *,
    cursor: str | None = None,
    after: int | None = None,
    refused: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The queue's page; `refused` holds a return form's reason and error, to show again."""
    page = queue(services, actor, cursor=cursor, limit=PAGE, after=after)
    approved = queue(services, actor, status=[DisclosureStatus.APPROVED], limit=PAGE)
    context = {
        "page": page,
        "approved": approved,
        "cursor": cursor,
        "refused": refused or {},
        "reason_limit": limits.REASON,
    }
    return area_page(request, "workbench/reviews.html", context, actor=actor, status=status)


@router.get(REVIEWS.path)
def review_queue(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(REVIEWS.permission)],
    cursor: Cursor = None,
    after: AfterQuery = None,
) -> Response:
    """The disclosures awaiting the committee's review, newest first."""
    return _queue_page(request, services, actor, cursor=cursor, after=after)


@router.post(REVIEWS.path + "/{disclosure_id}/approve")
def approve(
    disclosure_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.DISCLOSURE_REVIEW)],
    version: Version = None,
) -> Response:
    """Approves a disclosure (a committee member who did not propose it)."""
    result = services.disclosures.approve(disclosure_id, actor=actor, expected_version=version)
    return redirect_after(f"{REVIEWS.path}?after={result.position}", "已审核通过，可以公示")


@router.post(REVIEWS.path + "/{disclosure_id}/return")
def return_(
    request: Request,
    disclosure_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.DISCLOSURE_REVIEW)],
    reason: Annotated[str, Form(max_length=limits.REASON)] = "",
    version: Version = None,
) -> Response:
    """Returns a disclosure to its proposer with a reason; without one, the queue again
    with the message beside the field."""
    try:
        result = services.disclosures.return_(
            disclosure_id, reason=reason, actor=actor, expected_version=version
        )
    except InvalidInput as refusal:
        refused = {"id": str(disclosure_id), "reason": reason, "error": refusal.reason}
        return _queue_page(request, services, actor, refused=refused, status=422)
    return redirect_after(f"{REVIEWS.path}?after={result.position}", "已退回提议人修改")


@router.post(REVIEWS.path + "/{disclosure_id}/publish")
def publish(
    disclosure_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.DISCLOSURE_PUBLISH)],
    version: Version = None,
) -> Response:
    """Publishes an approved disclosure: it goes on the public board with the chain head."""
    result = services.disclosures.publish(disclosure_id, actor=actor, expected_version=version)
    return redirect_after(f"{REVIEWS.path}?after={result.position}", "已发布到公示栏")


@router.post(REVIEWS.path + "/propose")
def propose(
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.DISCLOSURE_PROPOSE)],
    subject_type: Annotated[SubjectType, Form()],
    subject: Annotated[str, Form(min_length=1, max_length=200)],
    title: Annotated[str, Form(max_length=limits.TITLE)] = "",
    back: Annotated[str, Form(max_length=2000)] = REVIEWS.path,
) -> Response:
    """Proposes a case's subject (an appeal's published answer…) for the committee's review;
    back to the page the form was on."""
    result = services.disclosures.propose(
        subject_type=subject_type, subject=subject, title=title, actor=actor
    )
    target = safe_next(back)
    joiner = "&" if "?" in target else "?"
    return redirect_after(f"{target}{joiner}after={result.position}", "已提交工会委员会审核")

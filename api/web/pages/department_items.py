"""承办 · 协作事项 — one action item's page (`GET /action-items/{id}`): its task, criteria,
deadline and everything said about the work; and the forms the JSON API offers the reader
for it in its state, calling the same use cases: the department reports progress and submits
the work (`action_item.work`), union staff or HR accept or reject it (`action_item.accept`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from api.bootstrap import Services
from api.deps import ServicesDep
from api.schemas.action_items import ActionItemRead
from api.web.deps import check_csrf, page_requires
from api.web.pages.workbench_parts import DEPARTMENT_PARTS, PARTS, area_page
from api.web.rendering import may_use, redirect_after
from domain import limits
from domain.action_item import ActionItem
from domain.action_item_states import ACTION_ITEM_STATES, ActionItemCommand
from domain.actors import Actor
from domain.errors import InvalidInput
from domain.policy import Permission

#: No prefix: the paths are the pages' full paths (`workbench_parts`), as links name them.
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

ITEM = "/web/action-items/{item_id}"
Version = Annotated[int | None, Form(ge=1)]


class Work(StrEnum):
    """A form on the item's page, named as the API's path names it."""

    PROGRESS = "progress"
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"


#: Each form's command in the item's state table, and the permission it needs.
FORMS = {
    Work.PROGRESS: (ActionItemCommand.REPORT_PROGRESS, Permission.ACTION_ITEM_WORK),
    Work.SUBMIT: (ActionItemCommand.SUBMIT, Permission.ACTION_ITEM_WORK),
    Work.ACCEPT: (ActionItemCommand.ACCEPT, Permission.ACTION_ITEM_ACCEPT),
    Work.REJECT: (ActionItemCommand.REJECT, Permission.ACTION_ITEM_ACCEPT),
}
MESSAGES = {
    Work.PROGRESS: "已报告进展",
    Work.SUBMIT: "已提交验收",
    Work.ACCEPT: "已验收通过",
    Work.REJECT: "已退回，事项重新办理",
}


def _item_page(
    request: Request,
    services: Services,
    actor: Actor,
    item_id: UUID,
    *,
    refused: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    item = services.meetings.read(ActionItem, item_id, actor)
    offered = [
        work.value
        for work, (command, permission) in FORMS.items()
        if ACTION_ITEM_STATES.allows(command, item.status) and may_use(actor, permission)
    ]
    context = {
        "item": ActionItemRead.of(item),
        "offered": offered,
        "refused": refused or {},
        "limits": {"progress": limits.PROGRESS, "comment": limits.COMMENT, "reason": limits.REASON},
    }
    parts = DEPARTMENT_PARTS if may_use(actor, Permission.APPEAL_RESPOND) else PARTS
    return area_page(
        request, "department/action_item.html", context, actor=actor, parts=parts, status=status
    )


@router.get(ITEM)
def action_item(
    request: Request,
    item_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.ACTION_ITEM_READ)],
) -> Response:
    """The action item as it stands, with the forms the reader may use on it now."""
    return _item_page(request, services, actor, item_id)


def _work(
    request: Request,
    services: Services,
    actor: Actor,
    item_id: UUID,
    work: Work,
    text: str,
    version: int | None,
) -> Response:
    """Runs the form's use case; bad input shows the page again with the message."""
    meetings = services.meetings
    try:
        if work is Work.PROGRESS:
            meetings.report_progress(item_id, note=text, actor=actor, expected_version=version)
        elif work is Work.SUBMIT:
            meetings.submit_for_acceptance(
                item_id, note=text, actor=actor, expected_version=version
            )
        elif work is Work.ACCEPT:
            meetings.accept_item(item_id, note=text, actor=actor, expected_version=version)
        else:
            meetings.reject_item(item_id, reason=text, actor=actor, expected_version=version)
    except InvalidInput as refusal:
        refused = {"form": work.value, "text": text, "error": refusal.reason}
        return _item_page(request, services, actor, item_id, refused=refused, status=422)
    return redirect_after(ITEM.format(item_id=item_id), MESSAGES[work])


@router.post(ITEM + "/progress")
def report_progress(
    request: Request,
    item_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.ACTION_ITEM_WORK)],
    note: Annotated[str, Form(max_length=limits.PROGRESS)] = "",
    version: Version = None,
) -> Response:
    """The department reports progress on the work."""
    return _work(request, services, actor, item_id, Work.PROGRESS, note, version)


@router.post(ITEM + "/submit")
def submit(
    request: Request,
    item_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.ACTION_ITEM_WORK)],
    note: Annotated[str, Form(max_length=limits.PROGRESS)] = "",
    version: Version = None,
) -> Response:
    """The department submits the work for acceptance against the criteria."""
    return _work(request, services, actor, item_id, Work.SUBMIT, note, version)


@router.post(ITEM + "/accept")
def accept(
    request: Request,
    item_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.ACTION_ITEM_ACCEPT)],
    note: Annotated[str, Form(max_length=limits.COMMENT)] = "",
    version: Version = None,
) -> Response:
    """Union staff or HR accept the submitted work as meeting its criteria."""
    return _work(request, services, actor, item_id, Work.ACCEPT, note, version)


@router.post(ITEM + "/reject")
def reject(
    request: Request,
    item_id: UUID,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.ACTION_ITEM_ACCEPT)],
    reason: Annotated[str, Form(max_length=limits.REASON)] = "",
    version: Version = None,
) -> Response:
    """Union staff or HR reject the submitted work with a reason; it goes back in progress."""
    return _work(request, services, actor, item_id, Work.REJECT, reason, version)

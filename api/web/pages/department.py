"""承办 — a department handler's lists: the appeals now with their departments that still owe
a reply (`OPEN_FOR_WORK`), and the action items assigned to them not yet accepted, each
soonest deadline first with the overdue marked. Both are the case index's query as the
JSON lists make it (`api.case_pages.case_page`), scoped to what the handler may act on now
(`appeal.respond`, `action_item.work`: the cases with their departments now)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.case_pages import case_page
from api.deps import AfterQuery, ServicesDep
from api.web.deps import check_csrf, page_requires
from api.web.pages.workbench_parts import (
    DEPARTMENT_CASES,
    DEPARTMENT_ITEMS,
    DEPARTMENT_PARTS,
    PAGE,
    area_page,
)
from domain.action_item_states import UNACCEPTED
from domain.actors import Actor
from domain.appeal_states import OPEN_FOR_WORK
from projections.case_index import CaseOrder, CaseType

#: No prefix: the paths are the pages' full paths (`workbench_parts`), as links name them.
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

Cursor = Annotated[str | None, Query(max_length=200)]


@router.get(DEPARTMENT_CASES.path)
def department_cases(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(DEPARTMENT_CASES.permission)],
    cursor: Cursor = None,
    after: AfterQuery = None,
) -> Response:
    """My departments' open appeals, soonest deadline first, each linking to its case page
    (where it is acknowledged and replied to)."""
    page = case_page(
        services,
        actor,
        CaseType.APPEAL,
        cursor=cursor,
        limit=PAGE,
        after=after,
        reach=DEPARTMENT_CASES.permission,
        statuses=OPEN_FOR_WORK,
        order=CaseOrder.DEADLINE,
    )
    context = {"page": page, "cursor": cursor, "parts_label": "承办"}
    return area_page(request, "department/cases.html", context, actor=actor, parts=DEPARTMENT_PARTS)


@router.get(DEPARTMENT_ITEMS.path)
def department_action_items(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(DEPARTMENT_ITEMS.permission)],
    cursor: Cursor = None,
    after: AfterQuery = None,
) -> Response:
    """The action items assigned to my departments and not yet accepted, soonest deadline
    first, each linking to its page (where progress is reported)."""
    page = case_page(
        services,
        actor,
        CaseType.ACTION_ITEM,
        cursor=cursor,
        limit=PAGE,
        after=after,
        reach=DEPARTMENT_ITEMS.permission,
        statuses=UNACCEPTED,
        order=CaseOrder.DEADLINE,
    )
    context = {"page": page, "cursor": cursor, "parts_label": "承办"}
    return area_page(
        request, "department/action_items.html", context, actor=actor, parts=DEPARTMENT_PARTS
    )

"""工作台 — union staff's landing and their case lists: the new appeals to transfer and the
overdue board. Each list is the JSON API's own (`GET /appeals?status=raised`,
`GET /appeals?overdue=true`, `GET /action-items?overdue=true`): the same case index query
with the reader's scope, paged by its cursor. The other parts (the disclosure review queue,
penalties and cards, the monthly report, the charts) are in `workbench_*` modules beside it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import AfterQuery, ServicesDep
from api.routes.action_items import list_action_items
from api.routes.appeal_reads import list_appeals
from api.routes.disclosures import queue
from api.routes.metrics import penalty_figures
from api.schemas.disclosures import QueuePageRead
from api.schemas.lists import CasePageRead
from api.schemas.metrics import PenaltyFiguresRead
from api.web.deps import check_csrf, page_requires
from api.web.pages.workbench_parts import NEW, OVERDUE, OVERVIEW, PAGE, area_page
from api.web.rendering import may_use
from domain.actors import Actor
from domain.errors import NotFound
from domain.monthly_figures import ReportMonth
from domain.policy import Permission
from domain.terms import Status

#: No prefix: the paths are the pages' full paths (`workbench_parts`), as links name them.
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

Cursor = Annotated[str | None, Query(max_length=200)]


class OverdueKind(StrEnum):
    """Which cases the overdue board lists."""

    APPEAL = "appeal"
    ACTION_ITEM = "action_item"


def _count(page: CasePageRead | QueuePageRead) -> str:
    """A list's first page as a count: `20+` when more follow."""
    return f"{len(page.items)}+" if page.next_cursor else str(len(page.items))


@router.get(OVERVIEW.path)
def overview(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(OVERVIEW.permission)],
) -> Response:
    """The workbench's landing: how much waits in each part, and a link to it."""
    new = list_appeals(services, actor, status=Status.RAISED, limit=PAGE)
    overdue = list_appeals(services, actor, overdue=True, limit=PAGE)
    reviews = None
    if may_use(actor, Permission.DISCLOSURE_READ):
        reviews = _count(queue(services, actor, limit=PAGE))
    penalties = None
    if may_use(actor, Permission.METRICS_READ):
        penalties = penalty_figures(request, services, actor)
        assert isinstance(penalties, PenaltyFiguresRead)  # noqa: S101  # JSON unless csv asked
    month = ReportMonth.of(services.casework.now()).previous()
    report = None
    if may_use(actor, Permission.MONTHLY_REPORT_READ):
        try:
            report = services.monthly_reports.read(month, actor)
        except NotFound:
            report = None
    context = {
        "new_count": _count(new),
        "overdue_count": _count(overdue),
        "reviews_count": reviews,
        "penalties": penalties,
        "report_month": str(month),
        "report": report,
    }
    return area_page(request, "workbench/index.html", context, actor=actor)


@router.get(NEW.path)
def new_appeals(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(NEW.permission)],
    cursor: Cursor = None,
    after: AfterQuery = None,
) -> Response:
    """The appeals registered and not yet transferred, newest first, each linking to its
    case page (where it is transferred)."""
    page = list_appeals(
        services, actor, status=Status.RAISED, cursor=cursor, limit=PAGE, after=after
    )
    context = {"page": page, "cursor": cursor}
    return area_page(request, "workbench/new.html", context, actor=actor)


@router.get(OVERDUE.path)
def overdue_board(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(OVERDUE.permission)],
    kind: OverdueKind = OverdueKind.APPEAL,
    cursor: Cursor = None,
    after: AfterQuery = None,
) -> Response:
    """The cases past a deadline that the reader may read: appeals (a first response or a
    reply owed) or action items, newest first."""
    if kind is OverdueKind.ACTION_ITEM:
        page = list_action_items(
            services, actor, overdue=True, cursor=cursor, limit=PAGE, after=after
        )
    else:
        page = list_appeals(services, actor, overdue=True, cursor=cursor, limit=PAGE, after=after)
    context = {"page": page, "kind": kind.value, "cursor": cursor}
    return area_page(request, "workbench/overdue.html", context, actor=actor)

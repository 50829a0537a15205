"""The workbench's parts: each page's path, its name and the permission it names, so the
page's route and the workbench's own menu (showing a reader only the parts their role may
use) read one table; and rendering a workbench or department page with what they share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.web.rendering import NavItem, may_use, render
from api.web.state_labels import label
from domain.actors import Actor
from domain.policy import Permission

#: Rows a list shows on one page; the next page follows its cursor.
PAGE = 20

OVERVIEW = NavItem("/web/workbench", "概览", Permission.APPEAL_TRANSFER)
NEW = NavItem("/web/workbench/new", "待转办", Permission.APPEAL_TRANSFER)
OVERDUE = NavItem("/web/workbench/overdue", "超期督办", Permission.APPEAL_READ)
REVIEWS = NavItem("/web/workbench/reviews", "公示审核", Permission.DISCLOSURE_READ)
PENALTIES = NavItem("/web/workbench/penalties", "扣分与红黄牌", Permission.PENALTY_READ)
REPORT = NavItem("/web/workbench/report", "月度报告", Permission.MONTHLY_REPORT_READ)
CHARTS = NavItem("/web/workbench/charts", "三率图表", Permission.METRICS_READ)

#: The workbench's menu, in order.
PARTS = (OVERVIEW, NEW, OVERDUE, REVIEWS, PENALTIES, REPORT, CHARTS)

#: The department handler's pages.
DEPARTMENT_CASES = NavItem("/web/department", "待办诉求", Permission.APPEAL_RESPOND)
DEPARTMENT_ITEMS = NavItem("/web/department/action-items", "协作事项", Permission.ACTION_ITEM_WORK)
DEPARTMENT_PARTS = (DEPARTMENT_CASES, DEPARTMENT_ITEMS)


def area_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    actor: Actor,
    parts: tuple[NavItem, ...] = PARTS,
    status: int = 200,
) -> HTMLResponse:
    """A workbench (or department) page: its menu shows the parts `actor` may use."""
    shown = [part for part in parts if may_use(actor, part.permission)]
    return render(
        request,
        template,
        {"parts": shown, "label": label, **context},
        actor=actor,
        status=status,
    )

"""工作台 · 月度报告 — the monthly thought-dynamics report of a month (`GET
/monthly-reports/{month}`): its draft's figures and sections, its filing deadline and state;
and, for a role that may, drafting it from the events (`POST /monthly-reports`, the same
use case `MonthlyReports.draft`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from api.bootstrap import Services
from api.deps import ServicesDep
from api.schemas.monthly_reports import MonthlyReportRead
from api.web.deps import check_csrf, page_requires
from api.web.pages.workbench_parts import REPORT, area_page
from api.web.rendering import redirect_after
from domain.actors import Actor
from domain.errors import InvalidInput, NotFound
from domain.monthly_figures import ReportMonth
from domain.monthly_report_text import Section
from domain.policy import Permission

#: No prefix: the paths are the pages' full paths (`workbench_parts`), as links name them.
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

#: The report's sections as the union office titles them, in the report's order.
SECTIONS = (
    (Section.OVERVIEW, "总体情况"),
    (Section.SENTIMENT, "职工思想动态"),
    (Section.MEASURES, "工作措施"),
    (Section.RISKS, "风险研判"),
)

#: The figures the page shows beside the text (the report's own record keys).
FIGURES = (
    ("talks_held", "开展慧谈（场）"),
    ("appeals_raised", "收集诉求（件）"),
    ("answered", "已答复（件）"),
    ("resolved", "已办结（件）"),
    ("rated", "已评价（件）"),
    ("satisfaction_percent", "满意率（%）"),
    ("missed_deadlines", "超过时限（次）"),
    ("penalty_points", "扣分合计"),
)

Month = Annotated[str | None, Query(max_length=7)]


def _month(services: Services, text: str | None) -> ReportMonth:
    """The month asked for; by default the last finished one."""
    if text:
        return ReportMonth.parse(text)
    return ReportMonth.of(services.casework.now()).previous()


def _report_page(
    request: Request,
    services: Services,
    actor: Actor,
    month: ReportMonth,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    reports = services.monthly_reports
    try:
        report = reports.read(month, actor)
    except NotFound:
        shown = None
    else:
        shown = MonthlyReportRead.of(report, reports.app.now(), reports.penalty_id(month))
    context = {
        "month": str(month),
        "report": shown,
        "sections": SECTIONS,
        "figures": FIGURES,
        "error": error,
    }
    return area_page(request, "workbench/report.html", context, actor=actor, status=status)


@router.get(REPORT.path)
def monthly_report(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(REPORT.permission)],
    month: Month = None,
) -> Response:
    """A month's report (the last finished month by default), or that none is drafted."""
    try:
        chosen = _month(services, month)
    except InvalidInput as refusal:
        fallback = _month(services, None)
        return _report_page(request, services, actor, fallback, error=refusal.reason, status=422)
    return _report_page(request, services, actor, chosen)


@router.post(REPORT.path)
def draft_report(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(Permission.MONTHLY_REPORT_DRAFT)],
    month: Annotated[str, Form(max_length=7)] = "",
) -> Response:
    """Drafts a finished month's report from the events; a month not finished (or not a
    month) shows the page again with the message."""
    try:
        chosen = ReportMonth.parse(month)
        services.monthly_reports.draft(chosen, actor=actor)
    except InvalidInput as refusal:
        return _report_page(
            request, services, actor, _month(services, None), error=refusal.reason, status=422
        )
    return redirect_after(f"{REPORT.path}?month={chosen}", "已起草月度报告")

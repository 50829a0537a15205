"""工作台 · 三率图表 — the three rates (响应率、办结率、满意率) by department for a month, and
by month for each department: ECharts bar and line charts drawn from the metrics API's own
table (`GET /metrics/appeals?group_by=department&period=…`), each with the table it draws
beside it for screen readers and for reading the counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.bootstrap import Services
from api.deps import ServicesDep
from api.routes.metrics import appeal_figures
from api.schemas.metrics import AppealFiguresRead, AppealRowRead, RateRead
from api.web.deps import check_csrf, page_requires
from api.web.i18n import Translate, language_of, translator
from api.web.pages.workbench_parts import CHARTS, area_page
from domain.actors import Actor
from domain.appeal_figures import RateName
from domain.monthly_figures import ReportMonth
from projections.metrics import Dimension

#: No prefix: the paths are the pages' full paths (`workbench_parts`), as links name them.
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

#: The three rates the union reports (诉求三率), as it names them.
THREE_RATES = (
    (RateName.RESPONSE_RATE, "响应率"),
    (RateName.RESOLUTION_RATE, "办结率"),
    (RateName.SATISFACTION_RATE, "满意率"),
)
#: How many months the trend shows, ending with the month chosen.
TREND_MONTHS = 6
#: The table's row of appeals with no department yet (anonymous ones not yet transferred).
NO_DEPARTMENT = "未分派部门"

MonthQuery = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{2}$")]


def percent(rate: RateRead) -> float | None:
    """A rate in percent to one decimal, as the charts plot it (None: nothing counted)."""
    if rate.value is None:
        return None
    return float((rate.value * 100).quantize(Decimal("0.1")))


def _table(
    request: Request, services: Services, actor: Actor, month: ReportMonth
) -> list[AppealRowRead]:
    """The metrics API's department table for `month`."""
    table = appeal_figures(
        request, services, actor, group_by=Dimension.DEPARTMENT, period=str(month)
    )
    assert isinstance(table, AppealFiguresRead)  # noqa: S101  # JSON unless csv is asked
    return table.rows


def _bar(rows: list[AppealRowRead], _: Translate) -> dict[str, Any]:
    """The month's bar chart: a bar per rate for each department."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "grid": {"containLabel": True},
        "xAxis": {"type": "category", "data": [row.key or _(NO_DEPARTMENT) for row in rows]},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {"type": "bar", "name": _(name), "data": [percent(r.rates[rate]) for r in rows]}
            for rate, name in THREE_RATES
        ],
    }


def _line(
    months: list[str], departments: list[str], cells: dict[str, list[RateRead | None]], title: str
) -> dict[str, Any]:
    """The trend's line chart: a line per department across the months."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll"},
        "grid": {"containLabel": True},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "type": "line",
                "name": department,
                "connectNulls": True,
                "data": [percent(c) if c else None for c in cells[department]],
            }
            for department in departments
        ],
        "title": {"text": title, "show": False},
    }


@router.get(CHARTS.path)
def charts(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, page_requires(CHARTS.permission)],
    month: MonthQuery = None,
    rate: RateName = RateName.RESPONSE_RATE,
) -> Response:
    """The three rates of a month (this month by default) per department, and one rate's
    trend over the months before it."""
    _ = translator(language_of(request))
    chosen = ReportMonth.parse(month) if month else ReportMonth.of(services.casework.now())
    rows = _table(request, services, actor, chosen)
    trend = [chosen]
    while len(trend) < TREND_MONTHS:
        trend.insert(0, trend[0].previous())
    by_month = {
        str(each): {row.key: row for row in _table(request, services, actor, each)}
        for each in trend
    }
    departments = sorted({key for table in by_month.values() for key in table})
    cells = {
        key: [table[key].rates[rate] if key in table else None for table in by_month.values()]
        for key in departments
    }
    names = {key: key or _(NO_DEPARTMENT) for key in departments}
    rate_names = dict(THREE_RATES)
    context = {
        "month": str(chosen),
        "rate": rate.value,
        "rates": THREE_RATES,
        "rows": rows,
        "months": list(by_month),
        "departments": departments,
        "names": names,
        "cells": cells,
        "percent": percent,
        "bar": _bar(rows, _),
        "line": _line(
            list(by_month),
            [names[key] for key in departments],
            {names[key]: cells[key] for key in departments},
            _(rate_names.get(rate, rate.value)),
        ),
        "rate_name": rate_names.get(rate, rate.value),
    }
    return area_page(request, "workbench/charts.html", context, actor=actor)

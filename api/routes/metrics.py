"""Response-rate metrics (诉求三率 and more): tables per department, channel, tier, category.

Every table accepts `?period=` (month `2026-11`, quarter `2026-Q4`, half `2026-H2`, year
`2026`, China time; default the current month), `?after=` to read one's own writes, and
`?format=csv` (or the `.csv` path) for a CSV export, `?format=xlsx` (or the `.xlsx` path) for
the same rows as an .xlsx workbook (`api.exports`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request, Response

from api.auth import require
from api.bootstrap import Services
from api.deps import AfterQuery, ServicesDep, department_code, read_view
from api.errors import ApiProblem
from api.exports import EXPORT_RESPONSES, ExportFormat, export_response
from api.schemas.appeals import AwareDatetime
from api.schemas.metrics import (
    ActionItemFiguresRead,
    ActionItemRowRead,
    AppealFiguresRead,
    AppealRowRead,
    FigureCasesRead,
    ItemCaseRead,
    ItemCasesRead,
    PenaltyCaseRead,
    PenaltyCasesRead,
    PenaltyFiguresRead,
    PenaltyRowRead,
)
from domain.actors import Actor
from domain.appeal_figures import RATES, Figure
from domain.policy import Permission
from domain.terms import Channel, Tier
from projections.metrics import (
    ITEM_RATES,
    AppealQuery,
    Dimension,
    ItemFigure,
    MetricsView,
    PenaltyFigure,
    Period,
    month_of,
    parse_period,
    past_moment,
)
from projections.scope import ReadScope

router = APIRouter(prefix="/metrics", tags=["metrics"])

VIEW = "metrics"


class Format(StrEnum):
    """How a table is rendered."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


#: A kind of count (appeal, action-item or penalty figures) and of rate.
C = TypeVar("C", bound=StrEnum)
R = TypeVar("R", bound=StrEnum)


class Part(StrEnum):
    """Which side of a rate to list."""

    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"


#: A table's answer is also CSV (`format=csv`) or .xlsx (`format=xlsx`): declared beside the
#: JSON.
EXPORTS_TOO = EXPORT_RESPONSES

PeriodQuery = Annotated[
    str | None,
    Query(
        max_length=10,
        description="2026-11, 2026-Q4, 2026-H2 or 2026 (China time); default this month",
        examples=["2026-11"],
        json_schema_extra={"pattern": r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$"},
    ),
]
AsOfQuery = Annotated[
    AwareDatetime | None,
    Query(description="the figures exactly as they stood at this moment (time-zone aware)"),
]
PartQuery = Annotated[Part | None, Query(description="for a rate: numerator or denominator")]
FormatQuery = Annotated[
    Format, Query(description="json; csv or xlsx for an export (also the .csv or .xlsx path)")
]
Department = Annotated[str | None, Query(max_length=200)]
#: The appeal table's groups with an empty key are the appeals with none: passing the key as
#: it stands lists them.
AppealDepartment = Annotated[
    str | None,
    Query(
        max_length=200,
        description="a department; empty: the appeals with none yet (anonymous ones not yet "
        "transferred), the table's row with an empty key",
    ),
]
AppealTier = Annotated[
    Tier | Literal[""] | None,
    Query(
        description="a tier; empty: the appeals not raised at a talk, the table's row with "
        "an empty key"
    ),
]
Category = Annotated[str | None, Query(max_length=100)]


def _period(services: Services, text: str | None) -> Period:
    try:
        return parse_period(month_of(services.casework.now()) if text is None else text)
    except ValueError as error:
        raise ApiProblem(400, "invalid-period", "Invalid period", f"period: {error}") from None


def _view(services: Services, after: int | None) -> tuple[MetricsView, int]:
    return read_view(services, VIEW, MetricsView, after)  # type: ignore[type-abstract]


def _as_of(services: Services, as_of: datetime | None) -> datetime | None:
    return past_moment(as_of, services.casework.now())


@dataclass(frozen=True)
class _Reading:
    """A table's period, its moment (None: live), and the view at a position."""

    window: Period
    as_of: datetime | None
    view: MetricsView
    position: int

    def header(self) -> dict[str, Any]:
        """What every metrics table and list says of itself."""
        window = self.window
        return {
            "period": window.label,
            "start": window.start,
            "end": window.end,
            "position": self.position,
            "as_of": self.as_of,
        }


def _reading(
    services: Services, period: str | None, as_of: datetime | None, after: int | None
) -> _Reading:
    """The period and moment asked for, checked, and the view once it reached `after`."""
    window = _period(services, period)
    moment = _as_of(services, as_of)
    view, position = _view(services, after)
    return _Reading(window, moment, view, position)


def _counted(
    text: str,
    part: Part | None,
    counts: type[C],
    rates: Mapping[R, tuple[C, C]] | None = None,
) -> tuple[C, Part | None]:
    """The count a figure names, or for a rate the count of the part asked for (and the part:
    None for a count, whose cases need no part)."""
    rates = rates or {}
    for name, (numerator, denominator) in rates.items():
        if name != text:
            continue
        if part is None:
            raise ApiProblem(
                400,
                "invalid-part",
                "Which part of the rate?",
                "part: a rate needs part=numerator or part=denominator",
            )
        return (numerator if part is Part.NUMERATOR else denominator), part
    try:
        return counts(text), None
    except ValueError:
        known = ", ".join([*counts, *rates])
        raise ApiProblem(
            400, "invalid-figure", "Unknown figure", f"figure: {text!r} is not one of {known}"
        ) from None


def export_form(request: Request, format: Format) -> ExportFormat | None:
    """The spreadsheet a table is asked for as (by `format` or the path), or None for JSON."""
    for form in ExportFormat:
        if format.value == form.value or request.url.path.endswith(f".{form.value}"):
            return form
    return None


def _export(
    form: ExportFormat, rows: list[dict[str, Any]], columns: list[str], name: str
) -> Response:
    cells = ([row.get(column) for column in columns] for row in rows)
    return export_response(form, columns, cells, name, sheet=name)


@router.get(
    "/appeals",
    summary="Appeal figures and rates",
    response_model=AppealFiguresRead,
    responses=EXPORTS_TOO,
)
@router.get("/appeals.csv", include_in_schema=False)
@router.get("/appeals.xlsx", include_in_schema=False)
def appeal_figures(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.METRICS_READ)],
    group_by: Dimension = Dimension.DEPARTMENT,
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    after: AfterQuery = None,
    format: FormatQuery = Format.JSON,
) -> Any:
    """Counts, rates and response/reply times of the appeals raised in the period, per group."""
    reading = _reading(services, period, as_of, after)
    query = AppealQuery(
        reading.window.start, reading.window.end, services.casework.now(), reading.as_of
    )
    rows = [AppealRowRead.of(group) for group in reading.view.appeal_groups(query, group_by)]
    if form := export_form(request, format):
        flat = [row.flat() for row in rows]
        columns = list(flat[0]) if flat else ["key", *(f.value for f in Figure)]
        return _export(form, flat, columns, f"appeals-{group_by.value}-{reading.window.label}")
    return AppealFiguresRead(
        **reading.header(),
        group_by=group_by.value,
        rows=rows,
    )


@router.get("/appeals/cases", summary="The appeals behind a figure")
def figure_cases(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.METRICS_CASES)],
    figure: Annotated[
        str,
        Query(
            max_length=40,
            description="a count (satisfied) or a rate (satisfaction_rate)",
            json_schema_extra={"enum": [*Figure, *RATES]},
        ),
    ],
    part: PartQuery = None,
    department: AppealDepartment = None,
    channel: Channel | None = None,
    tier: AppealTier = None,
    category: Category = None,
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    after: AfterQuery = None,
) -> FigureCasesRead:
    """Lists the case ids and numbers counted in a figure (provenance)."""
    counted, listed = _counted(figure, part, Figure, RATES)
    reading = _reading(services, period, as_of, after)
    query = AppealQuery(
        reading.window.start,
        reading.window.end,
        services.casework.now(),
        reading.as_of,
        department=department if department == "" else department_code(services, department),
        channel=channel,
        tier=tier,
        category=category,
        scope=ReadScope.of(actor, Permission.METRICS_CASES),
    )
    return FigureCasesRead(
        **reading.header(),
        figure=figure,
        part=listed.value if listed else None,
        counted=counted.value,
        cases=FigureCasesRead.refs(reading.view.appeal_cases(query, counted)),
    )


@router.get(
    "/action-items",
    summary="Action-item completion",
    response_model=ActionItemFiguresRead,
    responses=EXPORTS_TOO,
)
@router.get("/action-items.csv", include_in_schema=False)
@router.get("/action-items.xlsx", include_in_schema=False)
def action_item_figures(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.METRICS_READ)],
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    after: AfterQuery = None,
    format: FormatQuery = Format.JSON,
) -> Any:
    """On-time completion and acceptance rates per department, for items due in the period,
    as they stood at `as_of` (default: now)."""
    reading = _reading(services, period, as_of, after)
    groups = reading.view.action_item_groups(
        reading.window.start, reading.window.end, reading.as_of
    )
    rows = [ActionItemRowRead.of(g) for g in groups]
    if form := export_form(request, format):
        columns = [*ActionItemRowRead.model_fields]
        flat = [row.flat() for row in rows]
        return _export(form, flat, columns, f"action-items-{reading.window.label}")
    return ActionItemFiguresRead(
        **reading.header(),
        rows=rows,
    )


@router.get("/action-items/cases", summary="The action items behind a figure")
def action_item_cases(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.METRICS_CASES)],
    figure: Annotated[
        str,
        Query(
            max_length=40,
            description="a count (accepted_on_time) or a rate (on_time_rate)",
            json_schema_extra={"enum": [*ItemFigure, *ITEM_RATES]},
        ),
    ],
    part: PartQuery = None,
    department: Department = None,
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    after: AfterQuery = None,
) -> ItemCasesRead:
    """Lists the action items counted in a figure of the action-item table (provenance): id,
    department, deadline, and when each was submitted and accepted (by `as_of`)."""
    counted, listed = _counted(figure, part, ItemFigure, ITEM_RATES)
    reading = _reading(services, period, as_of, after)
    department = department_code(services, department)
    items = reading.view.action_item_cases(
        counted,
        reading.window.start,
        reading.window.end,
        reading.as_of,
        department,
        ReadScope.of(actor, Permission.METRICS_CASES),
    )
    return ItemCasesRead(
        **reading.header(),
        figure=figure,
        part=listed.value if listed else None,
        counted=counted.value,
        department=department,
        cases=[ItemCaseRead.of(item) for item in items],
    )


@router.get(
    "/penalties",
    summary="Penalty points and cards",
    response_model=PenaltyFiguresRead,
    responses=EXPORTS_TOO,
)
@router.get("/penalties.csv", include_in_schema=False)
@router.get("/penalties.xlsx", include_in_schema=False)
def penalty_figures(
    request: Request,
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.METRICS_READ)],
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    after: AfterQuery = None,
    format: FormatQuery = Format.JSON,
) -> Any:
    """Penalties (points still counting) and red/yellow cards per department in the period,
    as they stood at `as_of` (default: now)."""
    reading = _reading(services, period, as_of, after)
    rows = [
        PenaltyRowRead.of(g)
        for g in reading.view.penalty_groups(
            reading.window.start, reading.window.end, reading.as_of
        )
    ]
    if form := export_form(request, format):
        columns = [*PenaltyRowRead.model_fields]
        flat = [row.model_dump() for row in rows]
        return _export(form, flat, columns, f"penalties-{reading.window.label}")
    return PenaltyFiguresRead(
        **reading.header(),
        rows=rows,
    )


@router.get("/penalties/cases", summary="The penalties or cards behind a figure")
def penalty_cases(
    services: ServicesDep,
    actor: Annotated[Actor, require(Permission.METRICS_CASES)],
    figure: Annotated[
        str,
        Query(
            max_length=40,
            description="penalties, reversed, points, yellow_cards, red_cards",
            json_schema_extra={"enum": list(PenaltyFigure)},
        ),
    ],
    department: Department = None,
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    after: AfterQuery = None,
) -> PenaltyCasesRead:
    """Lists the penalties (`points`: those whose points still count) or the cards counted in
    a figure of the penalty table (provenance)."""
    counted, _ = _counted(figure, None, PenaltyFigure)
    reading = _reading(services, period, as_of, after)
    department = department_code(services, department)
    cases = reading.view.penalty_cases(
        counted,
        reading.window.start,
        reading.window.end,
        reading.as_of,
        department,
        ReadScope.of(actor, Permission.METRICS_CASES),
    )
    return PenaltyCasesRead(
        **reading.header(),
        figure=figure,
        department=department,
        cases=[PenaltyCaseRead.of(case) for case in cases],
    )

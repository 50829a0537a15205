"""The exports the pages link, as CSV or .xlsx (`api.exports`), for a signed-in reader: the
audit trail (all of it in the reader's scope, or one case's) and the metrics tables.

Each answers exactly what its JSON route answers (`GET /audit/export.csv`,
`GET /metrics/appeals.xlsx`, …) — the same function, the same filters and scope — only the
reader is the session's rather than a bearer token's. Included by `api.web.pages.audit`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.audit_reads import audit_query, export_trail
from api.deps import AfterQuery, ServicesDep
from api.exports import ExportFormat
from api.routes.metrics import Format, action_item_figures, appeal_figures, penalty_figures
from api.web.deps import page_requires
from api.web.rendering import SHOWN_IN
from domain.actors import Actor
from domain.errors import InvalidInput
from domain.policy import Permission
from projections.metrics import Dimension

router = APIRouter()

AuditReader = Annotated[Actor, page_requires(Permission.AUDIT_READ)]
FigureReader = Annotated[Actor, page_requires(Permission.METRICS_READ)]
Text = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=10, description="YYYY-MM-DD, China time")]


class Table(StrEnum):
    """The metrics tables there are exports of."""

    APPEALS = "appeals"
    ACTION_ITEMS = "action-items"
    PENALTIES = "penalties"


def day_start(text: str, field: str) -> datetime | None:
    """The first moment of a day typed as YYYY-MM-DD (China time); None when left empty."""
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time(), SHOWN_IN)
    except ValueError:
        raise InvalidInput(field, "a day as YYYY-MM-DD") from None


@router.get("/audit/export.{form}")
def audit_trail_export(
    services: ServicesDep,
    actor: AuditReader,
    form: ExportFormat,
    case_id: UUID | None = None,
    department: Text = "",
    event_type: Text = "",
    case_type: Text = "",
    first_day: Annotated[str, Query(alias="from", max_length=10)] = "",
    last_day: Annotated[str, Query(alias="to", max_length=10)] = "",
    after: AfterQuery = None,
) -> Response:
    """The audit trail's events matching the filters (days from and to, both included), as
    `GET /audit/export.csv` or `.xlsx` answers them."""
    last = day_start(last_day, "to")
    filters = audit_query(
        services,
        actor,
        case_id=case_id,
        department=department or None,
        event_type=event_type or None,
        case_type=case_type or None,
        occurred_from=day_start(first_day, "from"),
        occurred_before=None if last is None else last + timedelta(days=1),
    )
    return export_trail(services, actor, filters, after, form)


@router.get("/exports/metrics/{table}.{form}")
def metrics_export(
    request: Request,
    services: ServicesDep,
    actor: FigureReader,
    table: Table,
    form: ExportFormat,
    period: Annotated[str | None, Query(max_length=10)] = None,
    group_by: Dimension = Dimension.DEPARTMENT,
    after: AfterQuery = None,
) -> Response:
    """A metrics table of a period (default this month) as `GET /metrics/{table}.csv` or
    `.xlsx` answers it: the route itself is called, with the session's reader."""
    chosen = Format(form.value)
    period = period or None
    if table is Table.APPEALS:
        response: Response = appeal_figures(
            request, services, actor, group_by=group_by, period=period, after=after, format=chosen
        )
    elif table is Table.ACTION_ITEMS:
        response = action_item_figures(
            request, services, actor, period=period, after=after, format=chosen
        )
    else:
        response = penalty_figures(
            request, services, actor, period=period, after=after, format=chosen
        )
    return response

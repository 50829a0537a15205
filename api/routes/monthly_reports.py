"""Monthly report commands (one POST each) and reads (current or at a version, history)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.auth import require
from api.deps import ExpectedVersionDep, MonthlyReportsDep, etag
from api.routes.meetings import done
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead, event_read
from api.schemas.monthly_reports import (
    FilingRead,
    MonthlyReportCreate,
    MonthlyReportEdit,
    MonthlyReportRead,
)
from domain.actors import Actor
from domain.monthly_figures import ReportMonth
from domain.monthly_report import report_id
from domain.policy import Permission

router = APIRouter(prefix="/monthly-reports", tags=["monthly reports"])

MonthPath = Annotated[str, Path(description="the report's month", examples=["2026-10"])]


@router.post("", status_code=status.HTTP_201_CREATED)
def draft(
    body: MonthlyReportCreate,
    actor: Annotated[Actor, require(Permission.MONTHLY_REPORT_DRAFT)],
    reports: MonthlyReportsDep,
    response: Response,
) -> ItemCommandRead:
    """Have the system draft a finished month's report from the events (one per month)."""
    month = ReportMonth.parse(body.month)
    result = reports.draft(month, actor=actor)
    response.headers["Location"] = f"/monthly-reports/{month}"
    return done(result, response)


@router.post("/{month}/redraft")
def redraft(
    month: MonthPath,
    actor: Annotated[Actor, require(Permission.MONTHLY_REPORT_DRAFT)],
    reports: MonthlyReportsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Compute the figures again before filing; sections the union office edited are kept."""
    result = reports.redraft(ReportMonth.parse(month), actor=actor, expected_version=version)
    return done(result, response)


@router.post("/{month}/edit")
def edit(
    month: MonthPath,
    body: MonthlyReportEdit,
    actor: Annotated[Actor, require(Permission.MONTHLY_REPORT_EDIT)],
    reports: MonthlyReportsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Rewrite the sentiment, measures or risks sections (union office)."""
    result = reports.edit(
        ReportMonth.parse(month),
        sections=body.sections(),
        reason=body.reason,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/{month}/file")
def file(
    month: MonthPath,
    actor: Annotated[Actor, require(Permission.MONTHLY_REPORT_EDIT)],
    reports: MonthlyReportsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> FilingRead:
    """File the report (报送, union office); filed after its deadline it costs one point."""
    filing = reports.file(ReportMonth.parse(month), actor=actor, expected_version=version)
    response.headers["ETag"] = etag(filing.report.version)
    return FilingRead.of_filing(filing)


@router.get("/{month}")
def get_report(
    month: MonthPath,
    actor: Annotated[Actor, require(Permission.MONTHLY_REPORT_READ)],
    reports: MonthlyReportsDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, description="the report at this version")] = None,
) -> MonthlyReportRead:
    """The report: figures, text, filing deadline, whether filed and whether late."""
    the_month = ReportMonth.parse(month)
    report = reports.read(the_month, actor, version)
    response.headers["ETag"] = etag(report.version)
    return MonthlyReportRead.of(report, reports.app.now(), reports.penalty_id(the_month))


@router.get("/{month}/history")
def monthly_report_history(
    month: MonthPath,
    actor: Annotated[Actor, require(Permission.MONTHLY_REPORT_READ)],
    reports: MonthlyReportsDep,
) -> ItemHistoryRead:
    """Every event of the report in order: type, time, actor and data."""
    the_month = ReportMonth.parse(month)
    history = reports.read_history(the_month, actor)
    return ItemHistoryRead(id=report_id(the_month), events=[event_read(e) for e in history])

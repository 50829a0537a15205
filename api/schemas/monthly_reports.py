"""Request and response bodies for the monthly report (月度职工思想动态分析报告)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.bodies import Body, text_field
from api.schemas.case_reads import DeadlineRead
from api.schemas.meetings import ItemCommandRead
from application.monthly_reports import FilingResult
from domain import limits
from domain.monthly_report import SECTION_LIMIT, MonthlyReport, ReportStatus
from domain.monthly_report_text import Section

MONTH_PATTERN = r"^\d{4}-\d{2}$"


def _section(example: str) -> Any:
    return Field(default=None, min_length=1, max_length=SECTION_LIMIT, examples=[example])


class MonthlyReportCreate(Body):
    """The finished month to draft the report of."""

    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-10"])


class MonthlyReportEdit(Body):
    """New text for one or more of the sections the union office writes."""

    sentiment: str | None = _section("职工关注的问题主要集中在夜班就餐和通勤。")
    measures: str | None = _section("后勤服务中心延长夜班供餐时间，工会跟踪督办。")
    risks: str | None = _section("食堂类诉求较上月明显上升，需重点关注。")
    reason: str = text_field(limits.REASON, "补充工作措施", required=False)

    def sections(self) -> dict[Section, str]:
        """The sections given, by name."""
        given = {
            Section.SENTIMENT: self.sentiment,
            Section.MEASURES: self.measures,
            Section.RISKS: self.risks,
        }
        return {section: text for section, text in given.items() if text is not None}


class FilingRead(ItemCommandRead):
    """What filing did; a late filing records a one-point penalty against the union office."""

    late: bool
    penalty_id: UUID | None

    @classmethod
    def of_filing(cls, filing: FilingResult) -> FilingRead:
        """The filing's result."""
        result = filing.report
        return cls(
            id=result.id,
            version=result.version,
            position=result.position,
            late=filing.late,
            penalty_id=filing.penalty_id,
        )


class MonthlyReportRead(BaseModel):
    """A monthly report as it stands (or stood): figures, text, deadline and filing."""

    id: UUID
    version: int
    month: str = Field(examples=["2026-10"])
    status: ReportStatus
    figures: dict[str, Any]
    text: dict[str, str]
    deadline: DeadlineRead
    drafted_by: str
    drafted_at: datetime
    edited_sections: list[Section]
    redrafted_at: datetime | None
    filed: bool
    filed_at: datetime | None
    filed_by: str | None
    filed_late: bool
    overdue: bool = Field(description="past the deadline and still not filed")
    penalty_id: UUID | None = Field(description="the late-filing penalty, if one is owed")
    modified_at: datetime

    @classmethod
    def of(cls, report: MonthlyReport, now: datetime, penalty_id: UUID) -> MonthlyReportRead:
        """The read model of a report; `penalty_id` is the id a late-filing penalty has."""
        overdue = report.overdue_unfiled(now)
        due = report.deadline
        return cls(
            id=report.id,
            version=report.version,
            month=str(report.month),
            status=report.status,
            figures=report.figures,
            text=report.text,
            deadline=DeadlineRead(due=due.due, act=due.act.value, rule=due.rule, basis=due.basis),
            drafted_by=report.drafted_by,
            drafted_at=report.drafted_at,
            edited_sections=sorted(report.edited_sections),
            redrafted_at=report.redrafted_at,
            filed=report.filed_at is not None,
            filed_at=report.filed_at,
            filed_by=report.filed_by,
            filed_late=report.filed_late,
            overdue=overdue,
            penalty_id=penalty_id if report.filed_late or overdue else None,
            modified_at=report.modified_on,
        )

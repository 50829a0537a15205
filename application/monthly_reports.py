"""Monthly thought-dynamics reports: draft from the events, edit, redraft, file; late costs −1.

`MonthlyReports` wraps the one `Casework` application (event store, clock, calendar, cipher)
and the `Accountability` use cases that record the late-filing penalty. The penalty's id
follows from the report and its month, so filing late, `penalise_unfiled` and a second
watcher all land on the same one penalty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.accountability import AUTOMATIC, DEFAULT_UNION_OFFICE, Accountability
from application.aggregates import AggregateAccess, ItemResult
from application.casework import Casework
from domain.access import NOBODY
from domain.accountability_rules import CaseRef, CaseType, RuleCode, penalty_id
from domain.actors import Actor
from domain.deadlines import Deadline
from domain.errors import ActionNotAllowed, NotFound
from domain.monthly_figures import FIGURE_EVENTS, MonthlyFigures, ReportMonth, compute_figures
from domain.monthly_report import (
    FilingPolicy,
    MonthlyReport,
    check_month_finished,
    filing_overdue,
    report_id,
)
from domain.monthly_report_text import Section
from domain.policy import Permission, authorise

__all__ = ["FilingResult", "MonthlyReports", "figure_events"]

#: How many notifications one query reads at a time.
PAGE_SIZE = 500


@dataclass(frozen=True)
class FilingResult:
    """What filing did: the report's new version, whether it was late, and the penalty."""

    report: ItemResult
    late: bool
    penalty_id: UUID | None


def figure_events(app: Casework) -> Iterator[Any]:
    """Every event the figures count, oldest first, read from the notification log.

    Cost: pages through the whole log (filtered on the figure topics) and decrypts every
    matching event since the first; fine for a monthly report, replaced by a projection
    once the log grows large.
    """
    topics = [get_topic(cls) for cls in FIGURE_EVENTS]
    start: int | None = None
    while True:
        page = app.recorder.select_notifications(
            start, PAGE_SIZE, topics=topics, inclusive_of_start=False
        )
        for notification in page:
            yield app.mapper.to_domain_event(notification)
        if len(page) < PAGE_SIZE:
            return
        start = page[-1].id


class MonthlyReports:
    """The monthly report use cases, each load → call → save."""

    def __init__(
        self,
        app: Casework,
        accountability: Accountability,
        *,
        policy: FilingPolicy | None = None,
        union_office: str = DEFAULT_UNION_OFFICE,
    ) -> None:
        self.app = app
        self.accountability = accountability
        self.policy = policy or FilingPolicy()
        self.union_office = union_office
        self._access = AggregateAccess(app, {MonthlyReport: "monthly report"})

    # -- commands ----------------------------------------------------------------------

    def draft(self, month: ReportMonth, *, actor: Actor) -> ItemResult:
        """Drafts the report of a finished month from the events; once per month."""
        authorise(actor, Permission.MONTHLY_REPORT_DRAFT, NOBODY)
        at = self.app.now()
        check_month_finished(month, at)
        existing = self._existing(month)
        if existing is not None:
            raise ActionNotAllowed(
                "draft",
                existing.status.value,
                f"the report of {month} exists already; redraft it to refresh its figures",
                subject="monthly report",
            )
        report = MonthlyReport.draft(
            month=month,
            figures=self.figures(month),
            deadline=self.deadline(month),
            actor=actor,
            at=at,
        )
        return self._access.save(report)

    def redraft(
        self, month: ReportMonth, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Computes the figures again before filing; edited sections are kept."""
        report = self._load(month, expected_version, actor, Permission.MONTHLY_REPORT_DRAFT)
        report.redraft(figures=self.figures(month), actor=actor, at=self.app.now())
        return self._access.save(report)

    def edit(
        self,
        month: ReportMonth,
        *,
        sections: Mapping[Section, str],
        actor: Actor,
        reason: str = "",
        expected_version: int | None = None,
    ) -> ItemResult:
        """The union office rewrites the sentiment, measures or risks sections."""
        report = self._load(month, expected_version, actor, Permission.MONTHLY_REPORT_EDIT)
        report.edit(sections=sections, reason=reason, actor=actor, at=self.app.now())
        return self._access.save(report)

    def file(
        self, month: ReportMonth, *, actor: Actor, expected_version: int | None = None
    ) -> FilingResult:
        """Files the report; filed late, it costs the union office one point.

        The penalty is recorded before the filing is saved: a late filing owes it whether
        or not the save goes through, and recording it again finds the first record.
        """
        report = self._load(month, expected_version, actor, Permission.MONTHLY_REPORT_EDIT)
        report.file(actor=actor, at=self.app.now())
        penalty = self._penalise(report.month, report.deadline) if report.filed_late else None
        saved = self._access.save(report)
        return FilingResult(saved, report.filed_late, penalty.id if penalty else None)

    def penalise_unfiled(
        self, month: ReportMonth, *, actor: Actor = AUTOMATIC
    ) -> ItemResult | None:
        """Records the −1 for a report past its deadline and not filed (or filed late); once.

        For the deadline watcher: a month whose report was never drafted is just as overdue.
        Returns the penalty, or None when nothing is owed (yet).
        """
        now = self.app.now()
        report = self._existing(month)
        deadline = report.deadline if report is not None else self.deadline(month)
        filed_late = report is not None and report.filed_late
        if not filed_late and not filing_overdue(
            deadline, report.filed_at if report else None, now
        ):
            return None
        return self._penalise(month, deadline, actor=actor)

    # -- queries -----------------------------------------------------------------------

    def figures(self, month: ReportMonth) -> MonthlyFigures:
        """The month's figures as the events say now."""
        return compute_figures(figure_events(self.app), month)

    def deadline(self, month: ReportMonth) -> Deadline:
        """When the report of `month` is due."""
        return self.policy.deadline(month, self.app.calendar)

    def get(self, month: ReportMonth, version: int | None = None) -> MonthlyReport:
        """The report of `month` now, or as it stood at `version`."""
        return self._access.get(MonthlyReport, report_id(month), version)

    def history(self, month: ReportMonth) -> Sequence[Any]:
        """Every event of the month's report, in order."""
        return self._access.history(report_id(month), (MonthlyReport.Drafted,))

    def read(self, month: ReportMonth, actor: Actor, version: int | None = None) -> MonthlyReport:
        """The report of `month` now or at `version`, if `actor` may read reports."""
        return self._access.read(
            MonthlyReport,
            report_id(month),
            actor=actor,
            permission=Permission.MONTHLY_REPORT_READ,
            version=version,
        )

    def read_history(self, month: ReportMonth, actor: Actor) -> Sequence[Any]:
        """Every event of the month's report, if `actor` may read reports."""
        self.read(month, actor)
        return self.history(month)

    def penalty_id(self, month: ReportMonth) -> UUID:
        """The id the late-filing penalty of `month` has (or would have)."""
        return penalty_id(RuleCode.LATE_MONTHLY_REPORT, report_id(month), str(month))

    # -- plumbing ----------------------------------------------------------------------

    def _load(
        self,
        month: ReportMonth,
        expected_version: int | None,
        actor: Actor,
        permission: Permission,
    ) -> MonthlyReport:
        return self._access.load(
            MonthlyReport, report_id(month), expected_version, actor=actor, permission=permission
        )

    def _penalise(
        self, month: ReportMonth, deadline: Deadline, *, actor: Actor = AUTOMATIC
    ) -> ItemResult:
        return self.accountability.record_automatic(
            RuleCode.LATE_MONTHLY_REPORT,
            department=self.app.directory.department(self.union_office).code,
            case=CaseRef(CaseType.MONTHLY_REPORT, report_id(month), str(month)),
            occurrence_key=str(month),
            actor=actor,
            reason=f"monthly report of {month} not filed by {deadline.due.isoformat()}",
        )

    def _existing(self, month: ReportMonth) -> MonthlyReport | None:
        try:
            return self.get(month)
        except NotFound:
            return None

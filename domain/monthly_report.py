"""The monthly thought-dynamics report (《月度职工思想动态分析报告》): drafted by the system
from the month's events, edited and filed by the union office, by a working-day deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import limits
from domain.actors import Actor
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlineAct
from domain.errors import InvalidInput
from domain.monthly_figures import MonthlyFigures, ReportMonth
from domain.monthly_report_states import MONTHLY_REPORT_STATES, ReportCommand

# Re-exported from the states' old home, where callers import them.
from domain.monthly_report_states import ReportStatus as ReportStatus
from domain.monthly_report_text import EDITABLE, Section, draft_sections
from domain.values import check_aware, clean_text

REPORT_NAMESPACE = uuid5(NAMESPACE_URL, "https://huiyin.local/monthly-reports")

#: The longest a section of the report may be.
SECTION_LIMIT = 10_000


def report_id(month: ReportMonth) -> UUID:
    """The one report of a month always has this id."""
    return uuid5(REPORT_NAMESPACE, str(month))


@dataclass(frozen=True)
class FilingPolicy:
    """The report is due `working_days` working days after its month's last day."""

    working_days: int = 5
    rule: str = "monthly-report.filing"

    def deadline(self, month: ReportMonth, calendar: WorkingCalendar) -> Deadline:
        """When the report of `month` must be filed."""
        last_day = datetime.combine(month.last_day, time(12), tzinfo=calendar.tz)
        return Deadline(
            due=calendar.add_working_days(last_day, self.working_days),
            act=DeadlineAct.FILE,
            rule=self.rule,
            basis=f"file within {self.working_days} working days after the month's last day",
        )


def check_month_finished(month: ReportMonth, at: datetime) -> None:
    """Refuses a month that has not ended yet at `at` (China time)."""
    check_aware("time", at)
    if at < month.end:
        raise InvalidInput("month", f"{month} has not ended yet; a report covers a finished month")


def filing_overdue(deadline: Deadline, filed_at: datetime | None, moment: datetime) -> bool:
    """Whether at `moment` the report is past its deadline and not filed."""
    return filed_at is None and moment > deadline.due


class MonthlyReport(Aggregate):
    """One month's report, from the system's draft to the union office's filing."""

    class Event(Aggregate.Event):
        """Every report event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the report; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.monthly_report_states`)."""
            report = cast(MonthlyReport, aggregate)
            status = MONTHLY_REPORT_STATES.status_after(self)
            if status is not None:
                report.status = status
            self.apply_to(report)

        def apply_to(self, report: MonthlyReport) -> None:
            """Changes the report's state as this event says."""

    class Drafted(Aggregate.Created):
        """The system drafted the report from the month's events, with its filing deadline."""

        actor_id: str
        actor_role: str
        month: str
        figures: dict[str, Any]
        text: dict[str, str]
        deadline: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            """Sets up the new report."""
            cast(MonthlyReport, aggregate).start(self)

    class Edited(Event):
        """The union office rewrote sections of the text."""

        sections: dict[str, str]
        reason: str

        def apply_to(self, report: MonthlyReport) -> None:
            report.text.update(self.sections)
            report.edited_sections.update(Section(name) for name in self.sections)
            report.last_edited_at = self.timestamp

    class Redrafted(Event):
        """The figures were computed again; sections no one edited were drafted again."""

        figures: dict[str, Any]
        text: dict[str, str]

        def apply_to(self, report: MonthlyReport) -> None:
            report.figures = dict(self.figures)
            report.text = dict(self.text)
            report.redrafted_at = self.timestamp

    class Filed(Event):
        """The union office filed the report (报送); late if after its deadline."""

        due: datetime
        late: bool

        def apply_to(self, report: MonthlyReport) -> None:
            report.filed_at = self.timestamp
            report.filed_by = self.actor_id
            report.filed_late = self.late

    # -- state -------------------------------------------------------------------------

    def start(self, drafted: MonthlyReport.Drafted) -> None:
        """Initial state, from the Drafted event."""
        self.month = ReportMonth.parse(drafted.month)
        self.figures: dict[str, Any] = dict(drafted.figures)
        self.text: dict[str, str] = dict(drafted.text)
        self.deadline = Deadline.from_record(drafted.deadline)
        self.drafted_by = drafted.actor_id
        self.drafted_at = drafted.timestamp
        self.status = MONTHLY_REPORT_STATES.initial
        self.edited_sections: set[Section] = set()
        self.last_edited_at: datetime | None = None
        self.redrafted_at: datetime | None = None
        self.filed_at: datetime | None = None
        self.filed_by: str | None = None
        self.filed_late = False

    def overdue_unfiled(self, moment: datetime) -> bool:
        """Whether at `moment` the filing deadline has passed and the report is not filed."""
        return filing_overdue(self.deadline, self.filed_at, moment)

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        month: ReportMonth,
        figures: MonthlyFigures,
        deadline: Deadline,
        actor: Actor,
        at: datetime,
    ) -> MonthlyReport:
        """Drafts the report of a finished month from its figures; one report per month."""
        check_month_finished(month, at)
        _check_figures_of(figures, month)
        return cls._create(
            cls.Drafted,
            id=report_id(month),
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            month=str(month),
            figures=figures.to_record(),
            text={section.value: text for section, text in draft_sections(figures).items()},
            deadline=deadline.to_record(),
        )

    def edit(
        self, *, sections: Mapping[Section, str], reason: str, actor: Actor, at: datetime
    ) -> None:
        """The union office rewrites the sentiment, measures or risks sections."""
        self._require(ReportCommand.EDIT)
        if not sections:
            raise InvalidInput("sections", "give at least one of sentiment, measures, risks")
        fixed = sorted(set(sections) - EDITABLE)
        if fixed:
            raise InvalidInput(
                "sections",
                f"{', '.join(fixed)} is drafted from the figures; edit sentiment, measures "
                "or risks",
            )
        texts = {
            section.value: clean_text(section.value, text, SECTION_LIMIT)
            for section, text in sections.items()
        }
        changed = {name: text for name, text in texts.items() if self.text.get(name) != text}
        if not changed:
            raise InvalidInput("sections", "the text given is the text the report has")
        self._trigger(
            self.Edited,
            actor,
            at,
            sections=changed,
            reason=clean_text("reason", reason, limits.REASON, required=False),
        )

    def redraft(self, *, figures: MonthlyFigures, actor: Actor, at: datetime) -> None:
        """Refreshes the figures before filing; sections someone edited are kept."""
        self._require(ReportCommand.REDRAFT)
        _check_figures_of(figures, self.month)
        drafted = draft_sections(figures)
        text = {
            section.value: self.text[section.value]
            if section in self.edited_sections
            else drafted[section]
            for section in Section
        }
        self._trigger(self.Redrafted, actor, at, figures=figures.to_record(), text=text)

    def file(self, *, actor: Actor, at: datetime) -> None:
        """The union office files the report (报送); after the deadline it is filed late."""
        self._require(ReportCommand.FILE)
        check_aware("time", at)
        empty = [section.value for section in Section if not self.text.get(section.value)]
        if empty:
            raise MONTHLY_REPORT_STATES.refuse(
                ReportCommand.FILE, self.status, f"its {', '.join(empty)} text is empty"
            )
        self._trigger(self.Filed, actor, at, due=self.deadline.due, late=at > self.deadline.due)

    # -- guards ------------------------------------------------------------------------

    def _require(self, command: ReportCommand) -> None:
        """Refuses `command` unless the report's state table allows it now (once filed,
        saying when)."""
        MONTHLY_REPORT_STATES.require(
            command, self.status, f"the report of {self.month} was filed at {_iso(self.filed_at)}"
        )

    def _trigger(
        self, event_class: type[MonthlyReport.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )


def _check_figures_of(figures: MonthlyFigures, month: ReportMonth) -> None:
    if figures.month != str(month):
        raise InvalidInput("figures", f"the figures are of {figures.month}, not of {month}")


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "?"

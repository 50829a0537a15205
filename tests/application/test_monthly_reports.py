"""Monthly reports through the application, on real PostgreSQL, with the session's clock.

Each test works in months of 2024 and January 2025, which no other test (nor the demos the
suite populates, which start in spring 2025) writes events in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Services
from application.accountability import Accountability
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from application.meetings import Meetings
from application.monthly_reports import MonthlyReports
from domain.accountability_rules import CaseType, RuleCode
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.calendar import CHINA_TZ
from domain.deadlines import DeadlineAct
from domain.errors import ActionNotAllowed, InvalidInput, NotFound
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind
from domain.monthly_figures import ReportMonth
from domain.monthly_report import ReportStatus
from domain.monthly_report_text import Section
from domain.terms import Channel, Kind, Rating, Tier

CLERK = Actor("U-monthly", Role.UNION_STAFF)
SYSTEM = Actor("huiyin", Role.SYSTEM)
WATCHER = Actor("huiyin-watcher", Role.SYSTEM)
JANUARY = ReportMonth(2025, 1)


@pytest.fixture
def reports(services: Services, clock: ManualClock) -> MonthlyReports:
    """The monthly report use cases, wired as the service wires them."""
    return services.monthly_reports


@pytest.fixture
def accountability(services: Services) -> Accountability:
    """The penalty use cases, to read the late-filing penalty back."""
    return services.accountability


def local(month: int, day: int, hour: int = 10, year: int = 2025) -> datetime:
    """A moment in China time."""
    return datetime(year, month, day, hour, tzinfo=CHINA_TZ)


def hold_talk(meetings: Meetings, clock: ManualClock, at: datetime) -> None:
    """A workers' tier talk scheduled the day before `at` and held at `at`."""
    clock.set(at - timedelta(days=1))
    meeting = meetings.schedule(
        kind=MeetingKind.TIER_TALK,
        topic="夜班与食堂",
        scheduled_for=at,
        place="工会活动室",
        tier=Tier.WORKERS,
        actor=CLERK,
    ).id
    people = [f"E-{uuid4().hex[:10]}" for _ in range(3)]
    meetings.invite(meeting, participants=people, actor=CLERK)
    clock.set(at)
    meetings.hold(meeting, attendance=[Attendee(p, "综采一队") for p in people], actor=CLERK)


def grid_appeal(casework: Casework, category: str, *, named: bool = True) -> UUID:
    """A complaint through a grid liaison, named or anonymous, raised now."""
    appellant = Appellant("王建国", "E10234", "13800001234") if named else None
    channel = Channel.GRID_LIAISON if named else Channel.ANONYMOUS_BOX
    return casework.raise_appeal(
        AppealDraft(
            channel=channel,
            kind=Kind.COMPLAINT,
            category=category,
            title="夜班食堂供餐时间太短",
            text="夜班下井前食堂只开放20分钟。",
            appellant=appellant,
        ),
        CLERK,
    ).id


def test_the_figures_match_what_was_done_in_the_month(
    reports: MonthlyReports, casework: Casework, services: Services, clock: ManualClock
) -> None:
    meetings = services.meetings
    clock.set(local(12, 10, year=2024))
    grid_appeal(casework, "monthly-test-commute")
    hold_talk(meetings, clock, local(1, 7))
    clock.set(local(1, 8))
    answered = casework.raise_appeal(
        AppealDraft(
            channel=Channel.RECEPTION_DAY,
            kind=Kind.QUESTION,
            category="monthly-test-canteen",
            title="夜班供餐",
            text="夜班供餐时间能否延长？",
            appellant=Appellant("李明", "E20001"),
        ),
        CLERK,
    ).id
    casework.answer_on_spot(
        answered, answer="下周起延长至40分钟", basis="", close=False, actor=CLERK
    )
    casework.rate(answered, rating=Rating.SATISFIED, comment="", actor=CLERK)
    anonymous = grid_appeal(casework, "monthly-test-canteen", named=False)
    casework.transfer(
        anonymous,
        department="后勤服务中心",
        supervisor="S-zhao",
        actor=CLERK,
    )
    clock.set(local(1, 24))
    casework.record_missed_deadline(anonymous, act=DeadlineAct.REPLY, actor=WATCHER)
    case_number = casework.get_appeal(anonymous).case_number

    clock.set(local(2, 3))
    drafted = reports.draft(JANUARY, actor=SYSTEM)
    report = reports.get(JANUARY)

    assert drafted.version == 1
    assert report.figures["tier_talks"] == {"workers": 1}
    assert report.figures["appeals_by_category"] == {"monthly-test-canteen": 2}
    assert report.figures["appeals_by_channel"] == {"anonymous_box": 1, "reception_day": 1}
    assert (report.figures["answered"], report.figures["resolved"]) == (1, 1)
    assert (report.figures["rated"], report.figures["satisfied"]) == (1, 1)
    assert report.figures["overdue_appeals"] == [case_number]
    assert report.figures["rising_categories"][0]["category"] == "monthly-test-canteen"
    assert "王建国" not in str(report.figures) + str(report.text)
    # 31 January 2025 falls in the Spring Festival; Saturday 8 February is a make-up day.
    assert report.deadline.due == datetime(2025, 2, 10, 23, 59, 59, tzinfo=CHINA_TZ)


def test_redrafting_picks_up_what_changed_and_keeps_the_union_offices_text(
    reports: MonthlyReports, casework: Casework, clock: ManualClock
) -> None:
    month = ReportMonth(2024, 6)
    clock.set(local(7, 2, year=2024))
    reports.draft(month, actor=SYSTEM)
    reports.edit(
        month, sections={Section.MEASURES: "后勤服务中心延长夜班供餐。"}, actor=CLERK, reason="补充"
    )
    clock.set(local(6, 28, year=2024))
    grid_appeal(casework, "monthly-test-housing")

    clock.set(local(7, 3, year=2024))
    result = reports.redraft(month, actor=CLERK, expected_version=2)
    report = reports.get(month)

    assert result.version == 3
    assert report.figures["appeals_by_category"] == {"monthly-test-housing": 1}
    assert report.text[Section.MEASURES] == "后勤服务中心延长夜班供餐。"
    assert [type(e).__name__ for e in reports.history(month)] == [
        "Drafted",
        "Edited",
        "Redrafted",
    ]


def test_filing_late_costs_the_union_office_exactly_one_point(
    reports: MonthlyReports, accountability: Accountability, clock: ManualClock
) -> None:
    month = ReportMonth(2024, 10)
    clock.set(local(11, 1, year=2024))
    reports.draft(month, actor=SYSTEM)
    clock.set(local(11, 15, year=2024))

    filing = reports.file(month, actor=CLERK)

    assert filing.late
    assert filing.penalty_id == reports.penalty_id(month)
    penalty = accountability.get_penalty(filing.penalty_id)
    assert (penalty.rule_code, penalty.points, penalty.department) == (
        RuleCode.LATE_MONTHLY_REPORT,
        -1,
        "工会办公室",
    )
    assert (penalty.case.type, penalty.case.ref) == (CaseType.MONTHLY_REPORT, "2024-10")
    assert reports.get(month).status is ReportStatus.FILED
    with pytest.raises(ActionNotAllowed):
        reports.file(month, actor=CLERK)
    again = reports.penalise_unfiled(month, actor=WATCHER)
    assert again is not None
    assert (again.id, again.position) == (filing.penalty_id, 0)
    assert accountability.get_penalty(filing.penalty_id).version == 1


def test_filing_on_time_costs_nothing(
    reports: MonthlyReports, accountability: Accountability, clock: ManualClock
) -> None:
    month = ReportMonth(2024, 9)
    clock.set(local(10, 8, year=2024))  # the first working day after National Day

    filing_deadline = reports.deadline(month)
    reports.draft(month, actor=SYSTEM)
    filing = reports.file(month, actor=CLERK)

    # National Day runs 1–7 October; Saturday 12 October is a make-up working day.
    assert filing_deadline.due == datetime(2024, 10, 12, 23, 59, 59, tzinfo=CHINA_TZ)
    assert (filing.late, filing.penalty_id) == (False, None)
    assert reports.penalise_unfiled(month) is None
    with pytest.raises(NotFound):
        accountability.get_penalty(reports.penalty_id(month))


def test_a_report_never_filed_is_penalised_once_after_its_deadline(
    reports: MonthlyReports, accountability: Accountability, clock: ManualClock
) -> None:
    month = ReportMonth(2024, 8)
    clock.set(local(9, 6, year=2024))
    assert reports.penalise_unfiled(month) is None

    clock.set(local(9, 9, year=2024))
    first = reports.penalise_unfiled(month, actor=WATCHER)
    second = reports.penalise_unfiled(month, actor=WATCHER)

    assert first is not None
    assert second is not None
    assert first.id == second.id == reports.penalty_id(month)
    assert second.position == 0
    penalty = accountability.get_penalty(first.id)
    assert (penalty.points, penalty.recorded_by, penalty.version) == (-1, WATCHER.id, 1)


def test_a_month_is_drafted_once_and_only_when_it_is_over(
    reports: MonthlyReports, clock: ManualClock
) -> None:
    month = ReportMonth(2024, 5)
    clock.set(local(5, 31, 23, year=2024))
    with pytest.raises(InvalidInput):
        reports.draft(month, actor=SYSTEM)
    clock.set(local(6, 1, 9, year=2024))
    reports.draft(month, actor=SYSTEM)
    with pytest.raises(ActionNotAllowed):
        reports.draft(month, actor=SYSTEM)

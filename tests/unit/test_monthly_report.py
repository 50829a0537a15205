"""The monthly thought-dynamics report: its figures from hand-built events, and its rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic

from domain.action_item import ActionItem
from domain.actors import Actor, Role
from domain.appeal import Appeal
from domain.calendar import CHINA_TZ, WorkingCalendar
from domain.deadlines import DeadlineAct
from domain.errors import ActionNotAllowed, DomainError, InvalidInput
from domain.meeting import Meeting
from domain.monthly_figures import MonthlyFigures, ReportMonth, compute_figures
from domain.monthly_report import FilingPolicy, MonthlyReport, ReportStatus, report_id
from domain.monthly_report_text import Section
from domain.penalty import Penalty
from tests.unit.meeting_builders import assert_refused, replay

MARCH = ReportMonth(2025, 3)
CALENDAR = WorkingCalendar()
SYSTEM = Actor("huiyin", Role.SYSTEM)
CLERK = Actor("U-li", Role.UNION_STAFF)
HR = Actor("HR-chen", Role.HR)
#: After March 2025 ended, before its report fell due (Tuesday 8 April, after Qingming).
APRIL_2 = datetime(2025, 4, 2, 10, 0, tzinfo=CHINA_TZ)
#: The aggregate each creation event starts.
CREATED_BY: dict[type[Any], type[Any]] = {
    Appeal.Raised: Appeal,
    ActionItem.Created: ActionItem,
    Penalty.Recorded: Penalty,
}


def day(month: int, day: int, hour: int = 10) -> datetime:
    """A moment of 2025, China time."""
    return datetime(2025, month, day, hour, tzinfo=CHINA_TZ)


def event(cls: type[Any], key: UUID, at: datetime, **data: Any) -> Any:
    """A hand-built event of `cls`, recorded by union staff at `at`."""
    envelope: dict[str, Any] = {
        "originator_id": key,
        "originator_version": 1,
        "timestamp": at,
        "actor_id": CLERK.id,
        "actor_role": CLERK.role.value,
    }
    if cls in CREATED_BY:
        envelope["originator_topic"] = get_topic(CREATED_BY[cls])
    return cls(**envelope, **data)


def raised(
    at: datetime,
    *,
    number: int,
    category: str = "canteen",
    channel: str = "grid_liaison",
    tier: str | None = None,
    appellant: dict[str, str] | None = None,
) -> tuple[UUID, Any]:
    """An appeal raised at `at`, with its id."""
    key = uuid4()
    return key, event(
        Appeal.Raised,
        key,
        at,
        case_number=f"HY-2025-{number:06d}",
        channel=channel,
        kind="complaint",
        category=category,
        title="夜班食堂供餐时间太短",
        text="夜班下井前食堂只开放20分钟。",
        department="",
        tier=tier,
        urgency="normal",
        appellant=appellant,
        receipt_hash=None if appellant else "hash",
        meeting_id=None,
        response_deadline=None,
    )


def held(at: datetime, kind: str, tier: str | None = None) -> Any:
    """A meeting of `kind` held at `at`."""
    return event(
        Meeting.Held,
        uuid4(),
        at,
        kind=kind,
        tier=tier,
        attendees=[],
        absent_departments=[],
        publication_deadline=None,
    )


def rated(key: UUID, at: datetime, rating: str) -> Any:
    """The appellant's rating."""
    return event(Appeal.Rated, key, at, rating=rating, comment="")


def reopened(key: UUID, at: datetime) -> Any:
    """A dissatisfied rating sent the appeal back."""
    return event(Appeal.Reopened, key, at, reason="appellant dissatisfied", reply_deadline=None)


def penalty(at: datetime, department: str, points: int) -> tuple[UUID, Any]:
    """A penalty recorded at `at`, with its id."""
    key = uuid4()
    return key, event(
        Penalty.Recorded,
        key,
        at,
        rule_code="overdue-reply",
        rule_version=1,
        points=points,
        department=department,
        head_id=None,
        case={"type": "appeal", "id": str(uuid4()), "ref": "HY-2025-000001"},
        reason="",
    )


def figures_of(*events: Any) -> MonthlyFigures:
    """March 2025's figures from these events."""
    return compute_figures(events, MARCH)


# -- the month -----------------------------------------------------------------------------


def test_a_month_is_written_like_2026_10_and_anything_else_is_refused() -> None:
    assert ReportMonth.parse("2026-10") == ReportMonth(2026, 10)
    assert str(ReportMonth(2025, 3)) == "2025-03"
    assert ReportMonth(2025, 1).previous() == ReportMonth(2024, 12)
    assert ReportMonth(2025, 12).following() == ReportMonth(2026, 1)
    for wrong in ("2025-13", "March", "2025-3", ""):
        with pytest.raises(InvalidInput) as refused:
            ReportMonth.parse(wrong)
        assert refused.value.field == "month"


def test_a_month_runs_from_midnight_china_time_to_the_next_months_midnight() -> None:
    assert MARCH.contains(datetime(2025, 3, 1, 0, 0, tzinfo=CHINA_TZ))
    assert not MARCH.contains(datetime(2025, 2, 28, 23, 59, tzinfo=CHINA_TZ))
    assert MARCH.contains(datetime(2025, 3, 31, 15, 59, tzinfo=UTC))  # 23:59 in China
    assert not MARCH.contains(datetime(2025, 3, 31, 16, 0, tzinfo=UTC))  # 1 April in China
    assert ReportMonth.of(datetime(2025, 3, 31, 16, 0, tzinfo=UTC)) == ReportMonth(2025, 4)


# -- the figures ---------------------------------------------------------------------------


def test_talks_are_counted_by_tier_and_special_talks_by_kind() -> None:
    figures = figures_of(
        held(day(2, 27), "tier_talk", "workers"),
        held(day(3, 3), "tier_talk", "workers"),
        held(day(3, 10), "tier_talk", "workers"),
        held(day(3, 12), "tier_talk", "team_leaders"),
        held(day(3, 14), "topical_talk"),
        held(day(3, 20), "remote_talk"),
        held(day(3, 21), "council"),
        held(day(4, 1), "tier_talk", "workers"),
    )

    assert figures.tier_talks == {"workers": 2, "team_leaders": 1}
    assert figures.special_talks == {"topical_talk": 1, "remote_talk": 1}
    assert figures.talks_held == 5


def test_appeals_raised_in_the_month_are_counted_by_category_tier_and_channel() -> None:
    _, february = raised(day(2, 20), number=1)
    _, at_talk = raised(
        day(3, 3), number=2, category="safety", channel="talk_session", tier="workers"
    )
    _, by_grid = raised(day(3, 4), number=3, category="canteen")
    _, in_box = raised(day(3, 5), number=4, category="canteen", channel="anonymous_box")
    _, april = raised(day(4, 1), number=5)

    figures = figures_of(february, at_talk, by_grid, in_box, april)

    assert figures.appeals_raised == 3
    assert figures.appeals_by_category == {"canteen": 2, "safety": 1}
    assert figures.appeals_by_tier == {"workers": 1}
    assert figures.appeals_by_channel == {"talk_session": 1, "grid_liaison": 1, "anonymous_box": 1}


def test_answered_resolved_and_satisfied_count_what_was_done_in_the_month() -> None:
    on_spot, raised_1 = raised(day(3, 3), number=1, channel="talk_session", tier="workers")
    replied, raised_2 = raised(day(3, 3), number=2)
    explained, raised_3 = raised(day(3, 3), number=3)
    figures = figures_of(
        raised_1,
        raised_2,
        raised_3,
        event(Appeal.AnsweredOnSpot, on_spot, day(3, 3), answer="已答复", basis=""),
        event(Appeal.Closed, on_spot, day(3, 3), outcome="resolved", note="answered on the spot"),
        event(Appeal.Replied, replied, day(3, 6), answer="已答复", basis="规定", department="后勤"),
        event(Appeal.Closed, replied, day(3, 9), outcome="resolved", note=""),
        event(
            Appeal.Replied, explained, day(3, 7), answer="已解释", basis="规定", department="后勤"
        ),
        event(Appeal.Closed, explained, day(3, 9), outcome="explained", note=""),
        rated(on_spot, day(3, 4), "satisfied"),
        rated(replied, day(3, 10), "basically_satisfied"),
        rated(explained, day(3, 10), "dissatisfied"),
        rated(explained, day(4, 2), "satisfied"),
    )

    assert figures.answered == 3
    assert figures.resolved == 2
    assert (figures.rated, figures.satisfied, figures.satisfaction_percent) == (3, 2, 67)


def test_overdue_cases_raised_before_the_month_are_named_by_their_case_number() -> None:
    late, february = raised(day(2, 10), number=7)
    figures = figures_of(
        february,
        event(Appeal.DeadlineMissed, late, day(3, 2), deadline={"act": "first_response"}),
        event(Appeal.DeadlineMissed, late, day(3, 9), deadline={"act": "reply"}),
    )

    assert figures.overdue_appeals == ["HY-2025-000007"]
    assert figures.missed_deadlines == 2
    assert figures.appeals_raised == 0


def test_overdue_action_items_are_counted_by_their_department() -> None:
    item = uuid4()
    other = uuid4()

    def created(key: UUID, department: str) -> Any:
        return event(
            ActionItem.Created,
            key,
            day(1, 10),
            meeting_id=uuid4(),
            decision_ref="D1",
            task="延长夜班供餐",
            department=department,
            deadline=day(2, 28),
            acceptance_criteria="连续两周",
        )

    figures = figures_of(
        created(item, "后勤服务中心"),
        created(other, "机电科"),
        event(ActionItem.MarkedOverdue, item, day(3, 1), deadline=day(2, 28)),
        event(ActionItem.MarkedOverdue, other, day(2, 28, 23), deadline=day(2, 28)),
    )

    assert figures.overdue_action_items == {"后勤服务中心": 1}
    assert figures.overdue_action_items_total == 1


def test_appeals_reopened_twice_or_more_are_a_risk() -> None:
    once, raised_1 = raised(day(2, 1), number=1)
    twice, raised_2 = raised(day(2, 1), number=2)
    earlier, raised_3 = raised(day(1, 5), number=3)
    figures = figures_of(
        raised_1,
        raised_2,
        raised_3,
        reopened(earlier, day(1, 20)),
        reopened(earlier, day(2, 20)),
        reopened(twice, day(2, 25)),
        reopened(twice, day(3, 10)),
        reopened(once, day(3, 11)),
    )

    assert figures.reopened_appeals == ["HY-2025-000001", "HY-2025-000002"]
    assert figures.reopenings == 2
    assert [(r.case_number, r.reopenings) for r in figures.repeated_reopenings] == [
        ("HY-2025-000002", 2)
    ]


def test_penalties_are_tallied_by_department_and_reversed_ones_take_no_points() -> None:
    _, recorded_1 = penalty(day(3, 5), "后勤服务中心", -2)
    undone, recorded_2 = penalty(day(3, 6), "后勤服务中心", -2)
    _, recorded_3 = penalty(day(3, 7), "机电科", -1)
    _, february = penalty(day(2, 7), "机电科", -1)
    figures = figures_of(
        february,
        recorded_1,
        recorded_2,
        recorded_3,
        event(Penalty.Reversed, undone, day(4, 3), reason="不属于该部门职责"),
    )

    assert {d: (t.recorded, t.reversed, t.points) for d, t in figures.penalties.items()} == {
        "后勤服务中心": (2, 1, -2),
        "机电科": (1, 0, -1),
    }
    assert figures.penalty_points == -3


def test_the_categories_rising_fastest_against_the_month_before_are_named() -> None:
    events = []
    counts = {
        "canteen": (1, 4),
        "safety": (2, 3),
        "commute": (0, 2),
        "wages": (3, 3),
        "housing": (1, 2),
    }
    number = 0
    for category, (before, now) in counts.items():
        for n in range(before + now):
            number += 1
            when = day(2, 10) if n < before else day(3, 10)
            events.append(raised(when, number=number, category=category)[1])

    rising = figures_of(*events).rising_categories

    assert [(r.category, r.count, r.previous, r.growth, r.growth_percent) for r in rising] == [
        ("canteen", 4, 1, 3, 300),
        ("commute", 2, 0, 2, None),
        ("housing", 2, 1, 1, 100),
    ]


def test_the_figures_and_draft_hold_no_appellant_identity() -> None:
    _, named = raised(
        day(3, 3),
        number=1,
        appellant={"name": "王建国", "employee_no": "E10234", "contact": "13800001234"},
    )
    key, anonymous = raised(day(3, 4), number=2, channel="anonymous_box")
    figures = figures_of(named, anonymous, reopened(key, day(3, 20)))
    report = MonthlyReport.draft(
        month=MARCH,
        figures=figures,
        deadline=FilingPolicy().deadline(MARCH, CALENDAR),
        actor=SYSTEM,
        at=APRIL_2,
    )

    stored = json.dumps({"figures": report.figures, "text": report.text}, ensure_ascii=False)
    for identity in ("王建国", "E10234", "13800001234", "hash"):
        assert identity not in stored
    assert "HY-2025-000002" in stored


# -- drafting ------------------------------------------------------------------------------


def drafted(month: ReportMonth = MARCH, *events: Any) -> MonthlyReport:
    """The report of `month` drafted by the system on 2 April 2025 (or a month later)."""
    at = max(APRIL_2, month.end + timedelta(hours=10))
    return MonthlyReport.draft(
        month=month,
        figures=compute_figures(events, month),
        deadline=FilingPolicy().deadline(month, CALENDAR),
        actor=SYSTEM,
        at=at,
    )


def test_the_system_drafts_one_report_per_month_due_five_working_days_after_it() -> None:
    report = drafted(MARCH, held(day(3, 3), "tier_talk", "workers"))

    assert report.id == report_id(MARCH) == report_id(ReportMonth.parse("2025-03"))
    assert report.status is ReportStatus.DRAFTED
    # Friday 4 April 2025 is Qingming: the fifth working day is Tuesday 8 April.
    assert report.deadline.due == datetime(2025, 4, 8, 23, 59, 59, tzinfo=CHINA_TZ)
    assert report.deadline.act is DeadlineAct.FILE
    assert report.deadline.rule == "monthly-report.filing"
    assert report.figures["tier_talks"] == {"workers": 1}
    assert report.text[Section.OVERVIEW].startswith("2025年3月共开展慧谈1场")
    assert all(report.text[section] for section in Section)
    events: Sequence[Any] = report.collect_events()
    assert (events[0].actor_id, events[0].actor_role) == (SYSTEM.id, "system")
    assert events[0].timestamp.tzinfo is not None


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (ReportMonth(2025, 4), datetime(2025, 5, 12, 23, 59, 59, tzinfo=CHINA_TZ)),
        (ReportMonth(2025, 9), datetime(2025, 10, 14, 23, 59, 59, tzinfo=CHINA_TZ)),
    ],
    ids=["over-labour-day", "over-national-day-with-a-make-up-saturday"],
)
def test_the_filing_deadline_counts_chinese_working_days(month: ReportMonth, due: datetime) -> None:
    assert FilingPolicy().deadline(month, CALENDAR).due == due
    assert FilingPolicy(working_days=1).deadline(month, CALENDAR).due < due


@pytest.mark.parametrize(
    "at",
    [day(3, 31, 23), day(2, 15)],
    ids=["current-month", "month-in-the-future"],
)
def test_a_month_not_yet_over_is_not_drafted(at: datetime) -> None:
    with pytest.raises(InvalidInput) as refused:
        MonthlyReport.draft(
            month=MARCH,
            figures=compute_figures([], MARCH),
            deadline=FilingPolicy().deadline(MARCH, CALENDAR),
            actor=SYSTEM,
            at=at,
        )
    assert refused.value.field == "month"


def test_figures_of_another_month_are_refused() -> None:
    with pytest.raises(InvalidInput):
        MonthlyReport.draft(
            month=MARCH,
            figures=compute_figures([], ReportMonth(2025, 2)),
            deadline=FilingPolicy().deadline(MARCH, CALENDAR),
            actor=SYSTEM,
            at=APRIL_2,
        )


# -- editing and redrafting ----------------------------------------------------------------


def test_the_union_office_edits_sentiment_measures_and_risks() -> None:
    report = drafted()
    report.edit(
        sections={Section.MEASURES: "后勤服务中心延长夜班供餐时间。"},
        reason="补充措施",
        actor=CLERK,
        at=APRIL_2 + timedelta(hours=1),
    )

    assert report.text[Section.MEASURES] == "后勤服务中心延长夜班供餐时间。"
    assert report.edited_sections == {Section.MEASURES}
    events: Sequence[Any] = report.collect_events()
    edited = events[-1]
    assert (edited.actor_id, edited.actor_role, edited.reason) == (
        "U-li",
        "union_staff",
        "补充措施",
    )
    assert replay(report, events).text == report.text


@pytest.mark.parametrize(
    ("sections", "actor", "error"),
    [
        ({Section.SENTIMENT: "   "}, CLERK, InvalidInput),
        ({Section.OVERVIEW: "改写概况"}, CLERK, InvalidInput),
        ({}, CLERK, InvalidInput),
    ],
    ids=["empty-text", "overview", "nothing"],
)
def test_edits_that_break_a_rule_are_refused(
    sections: dict[Section, str], actor: Actor, error: type[DomainError]
) -> None:
    report = drafted()
    assert_refused(
        report, lambda: report.edit(sections=sections, reason="", actor=actor, at=APRIL_2), error
    )


def test_redrafting_refreshes_the_figures_and_keeps_edited_sections() -> None:
    report = drafted()
    report.edit(sections={Section.RISKS: "人工研判的风险"}, reason="", actor=CLERK, at=APRIL_2)
    _, appeal = raised(day(3, 3), number=1, category="safety")

    report.redraft(figures=figures_of(appeal), actor=SYSTEM, at=APRIL_2 + timedelta(hours=2))

    assert report.figures["appeals_by_category"] == {"safety": 1}
    assert "收集职工诉求1件" in report.text[Section.OVERVIEW]
    assert "safety" in report.text[Section.SENTIMENT]
    assert report.text[Section.RISKS] == "人工研判的风险"


# -- filing --------------------------------------------------------------------------------


def test_filing_by_the_deadline_is_on_time_and_after_it_late() -> None:
    on_time = drafted()
    on_time.file(actor=CLERK, at=datetime(2025, 4, 8, 23, 59, 59, tzinfo=CHINA_TZ))
    late = drafted()
    late.file(actor=CLERK, at=datetime(2025, 4, 9, 0, 0, tzinfo=CHINA_TZ))

    assert (on_time.status, on_time.filed_late) == (ReportStatus.FILED, False)
    assert (late.filed_late, late.filed_by) == (True, "U-li")
    filed: Any = late.collect_events()[-1]
    assert filed.late is True


def test_a_report_not_filed_by_its_deadline_is_overdue() -> None:
    report = drafted()

    assert not report.overdue_unfiled(datetime(2025, 4, 8, 12, tzinfo=CHINA_TZ))
    assert report.overdue_unfiled(datetime(2025, 4, 9, 9, tzinfo=CHINA_TZ))
    report.file(actor=CLERK, at=datetime(2025, 4, 9, 9, tzinfo=CHINA_TZ))
    assert not report.overdue_unfiled(datetime(2025, 4, 10, tzinfo=CHINA_TZ))


def test_a_filed_report_is_neither_edited_redrafted_nor_filed_again() -> None:
    report = drafted()
    report.file(actor=CLERK, at=APRIL_2)
    assert_refused(report, lambda: report.file(actor=CLERK, at=APRIL_2), ActionNotAllowed)
    assert_refused(
        report,
        lambda: report.edit(sections={Section.RISKS: "晚了"}, reason="", actor=CLERK, at=APRIL_2),
        ActionNotAllowed,
    )
    assert_refused(
        report,
        lambda: report.redraft(figures=figures_of(), actor=SYSTEM, at=APRIL_2),
        ActionNotAllowed,
    )

"""Metric facts on PostgreSQL: figures of controlled appeals, as of, provenance, rebuild."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from domain.accountability_rules import CaseRef as PenaltyCase
from domain.accountability_rules import CaseType, RuleCode
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.appeal_figures import Figure
from domain.calendar import CHINA_TZ
from domain.policy import Permission
from domain.terms import Channel, Kind, Outcome, Rating
from infrastructure.database import conninfo
from infrastructure.metrics.rollup import ROLLUP_KEYS
from infrastructure.view_registry import VIEWS
from projections.metrics import (
    AppealQuery,
    Dimension,
    ItemFigure,
    ItemRef,
    MetricsView,
    PenaltyFigure,
    PenaltyRef,
    Period,
    month_of,
    parse_period,
)
from projections.scope import ReadScope
from projections.view import APPLICATION_NAME
from tests.application.test_meetings import decided_joint_meeting
from tests.conftest import open_department, scoped
from tests.integration.runners import run_to_head

CLERK = Actor("union-clerk-1", Role.UNION_STAFF)
HR = Actor("HR-zhang", Role.HR)
COMMITTEE = Actor("committee-1", Role.COMMITTEE)
#: The supervisor the scenario's appeals name (a supervisor in the test directory).
SUPERVISOR_ID = "S-zhao"
#: Monday 2031-03-03, 09:00 China time: a month no other test writes into.
MONDAY = datetime(2031, 3, 3, 9, 0, tzinfo=CHINA_TZ)
MARCH = parse_period("2031-03")


@dataclass
class Scenario:
    """Three appeals raised on MONDAY 09:00 and handled by one department."""

    department: str
    handler: Actor  # the department's handler, who acknowledges and replies
    satisfied: UUID  # acknowledged after 1 h, replied, rated satisfied, closed resolved
    reopened: UUID  # acknowledged 3 days late, replied, rated dissatisfied: reopened
    passed_on: UUID  # transferred three times, never answered
    rated_at: datetime  # when `satisfied` was rated
    position: int


def _raise(casework: Casework, department: str) -> UUID:
    draft = AppealDraft(
        channel=Channel.GRID_LIAISON,  # first response due within 24 hours
        kind=Kind.COMPLAINT,
        category=f"canteen-{department[-4:]}",
        title="夜班食堂供餐时间太短",
        text="夜班下井前食堂只开放20分钟。",
        department="综合办",
        appellant=Appellant("王建国", "E10234"),
    )
    return casework.raise_appeal(draft, CLERK).id


def _at(clock: ManualClock, hours: float) -> None:
    clock.set(MONDAY + timedelta(hours=hours))


def _handler(casework: Casework, *departments: str) -> Actor:
    """The handler of `departments` (and of those only)."""
    return scoped(casework, "dept-head-1", Role.DEPARTMENT, departments=list(departments))


def _supervisor(casework: Casework) -> Actor:
    """The scenario's supervisor, acting in the supervisor role the directory gives them."""
    supervisor = casework.directory.actor(SUPERVISOR_ID, Role.SUPERVISOR)
    assert supervisor is not None
    return supervisor


def play(casework: Casework, clock: ManualClock) -> Scenario:
    """Raises and handles the scenario's appeals, moving the clock between steps."""
    department = open_department(casework, "metrics")
    handler = _handler(casework, department)
    _at(clock, 0)
    ids = [_raise(casework, department) for _ in range(3)]
    satisfied, reopened, passed_on = ids
    for appeal_id in (satisfied, reopened):
        casework.transfer(appeal_id, department=department, supervisor=SUPERVISOR_ID, actor=CLERK)
    casework.transfer(passed_on, department="other-1", supervisor=SUPERVISOR_ID, actor=CLERK)
    _at(clock, 1)
    casework.acknowledge(satisfied, note="收到", actor=handler)
    casework.retransfer(passed_on, department="other-2", reason="不归我部", actor=CLERK)
    casework.retransfer(passed_on, department=department, reason="职责调整", actor=CLERK)
    _at(clock, 2)
    casework.reply(satisfied, answer="延长至40分钟", basis="后勤管理规定", actor=handler)
    casework.publish_reply(satisfied, public_text="夜班供餐延长至40分钟", actor=CLERK)
    _at(clock, 3)
    casework.rate(satisfied, rating=Rating.SATISFIED, comment="", actor=CLERK)
    casework.close_appeal(satisfied, outcome=Outcome.RESOLVED, note="", actor=CLERK)
    _at(clock, 72)  # Thursday 09:00: two days past the 24-hour response deadline
    casework.acknowledge(reopened, note="收到", actor=handler)
    casework.reply(reopened, answer="研究中", basis="后勤管理规定", actor=handler)
    casework.publish_reply(reopened, public_text="研究中", actor=CLERK)
    position = casework.rate(
        reopened, rating=Rating.DISSATISFIED, comment="没解决", actor=CLERK
    ).position
    return Scenario(
        department, handler, satisfied, reopened, passed_on, MONDAY + timedelta(hours=3), position
    )


@pytest.fixture
def metrics(services: Services) -> MetricsView:
    """The metrics view."""
    return services.views.typed("metrics", MetricsView)  # type: ignore[type-abstract]


def _figures(
    metrics: MetricsView, scenario: Scenario, now: datetime, as_of: datetime | None = None
) -> dict[Figure, int]:
    query = AppealQuery(MARCH.start, MARCH.end, now, as_of, department=scenario.department)
    groups = metrics.appeal_groups(query, Dimension.DEPARTMENT)
    assert [group.key for group in groups] == [scenario.department]
    return groups[0].counts


def test_figures_count_each_appeal_once_per_fact(
    metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    a_month_later = MONDAY + timedelta(days=40)

    counts = _figures(metrics, scenario, now=a_month_later)

    assert counts == {
        Figure.RAISED: 3,
        Figure.RESPONDED: 2,
        Figure.RESPONDED_IN_TIME: 1,
        Figure.REPLIED: 2,
        Figure.RESOLVED: 1,
        Figure.RATED: 2,
        Figure.SATISFIED: 1,
        Figure.OVERDUE_OPEN: 2,  # the reopened and the passed-on appeal, past their deadlines
        Figure.OVERDUE_CLOSED: 0,
        Figure.REOPENED: 1,
        Figure.TRANSFERRED_3_PLUS: 1,
    }


def test_response_times_are_in_wall_clock_and_working_hours(
    metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    query = AppealQuery(MARCH.start, MARCH.end, MONDAY, department=scenario.department)

    [group] = metrics.appeal_groups(query, Dimension.DEPARTMENT)

    # 1 h and 72 h wall-clock; 1 h and 8 + 9 + 9 + 1 = 27 working hours. Quantiles
    # interpolate like percentile_cont, each duration counted within 1% (its bucket).
    assert group.quantiles["response_hours_p50"] == pytest.approx(36.5, rel=0.01)
    assert group.quantiles["response_work_hours_p50"] == pytest.approx(14, rel=0.01)
    assert group.quantiles["response_hours_p90"] == pytest.approx(1 + 0.9 * 71, rel=0.01)
    assert group.quantiles["reply_hours_p50"] == pytest.approx((2 + 72) / 2, rel=0.01)


def test_as_of_gives_the_figures_as_they_stood_then(
    metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    now = MONDAY + timedelta(days=40)

    before_rating = _figures(metrics, scenario, now, as_of=scenario.rated_at - timedelta(minutes=1))
    after_rating = _figures(metrics, scenario, now, as_of=scenario.rated_at)

    assert before_rating[Figure.RATED] == 0
    assert before_rating[Figure.RESPONDED] == 1
    assert before_rating[Figure.REPLIED] == 1
    assert before_rating[Figure.OVERDUE_OPEN] == 0
    assert after_rating[Figure.RATED] == after_rating[Figure.SATISFIED] == 1
    assert after_rating[Figure.RESOLVED] == 1
    assert _figures(metrics, scenario, now, as_of=now) == _figures(metrics, scenario, now)


def test_provenance_lists_the_cases_behind_a_figure(
    metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    query = AppealQuery(MARCH.start, MARCH.end, MONDAY, department=scenario.department)

    satisfied = metrics.appeal_cases(query, Figure.SATISFIED)
    rated = metrics.appeal_cases(query, Figure.RATED)
    passed_on = metrics.appeal_cases(query, Figure.TRANSFERRED_3_PLUS)

    assert [case.id for case in satisfied] == [scenario.satisfied]
    assert {case.id for case in rated} == {scenario.satisfied, scenario.reopened}
    assert [case.id for case in passed_on] == [scenario.passed_on]
    assert satisfied[0].case_number.startswith("HY-2031-")
    # A department's handler is shown the cases of its own departments only.
    handler = ReadScope.of(scenario.handler, Permission.METRICS_CASES)
    assert metrics.appeal_cases(replace(query, scope=handler), Figure.RATED) == rated
    other = scoped(casework, "dept-head-2", Role.DEPARTMENT, departments=["other-1"])
    elsewhere = ReadScope.of(other, Permission.METRICS_CASES)
    assert metrics.appeal_cases(replace(query, scope=elsewhere), Figure.RATED) == []


@pytest.mark.parametrize("period", ["2031-03", "2031-Q1", "2031-H1", "2031", "2031-02..2031-04"])
@pytest.mark.parametrize("group_by", list(Dimension))
def test_rolled_up_figures_equal_those_recomputed_from_the_facts(
    metrics: MetricsView,
    casework: Casework,
    clock: ManualClock,
    period: str,
    group_by: Dimension,
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    first, _, last = period.partition("..")  # a run of months that is no one period too
    window = Period(period, parse_period(first).start, parse_period(last or first).end)
    overdue = []
    for now in (MONDAY + timedelta(days=3), MONDAY + timedelta(days=40)):  # before, after
        rolled_up = metrics.appeal_groups(AppealQuery(window.start, window.end, now), group_by)
        from_facts = metrics.appeal_groups(
            AppealQuery(window.start, window.end, now, as_of=now), group_by
        )

        assert rolled_up == from_facts
        overdue.append(sum(group.counts[Figure.OVERDUE_OPEN] for group in rolled_up))
    assert overdue[0] < overdue[1]


def test_as_of_gives_what_the_live_table_showed_then(
    metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    published = MONDAY + timedelta(days=300)  # after every other test's events
    clock.set(published - timedelta(days=1))  # an appeal of the month it falls in
    december = _raise(casework, scenario.department)
    casework.transfer(
        december, department=scenario.department, supervisor=SUPERVISOR_ID, actor=CLERK
    )
    metrics.wait(
        APPLICATION_NAME,
        casework.acknowledge(december, note="收到", actor=scenario.handler).position,
        timeout=10,
    )
    # Periods ended by then, and periods it falls in (their last months from versions).
    periods = [parse_period(p) for p in ("2031-03", "2031-Q1", "2031-H2", "2031")]
    shown = {
        (p.label, d): metrics.appeal_groups(AppealQuery(p.start, p.end, published), d)
        for p in periods
        for d in (Dimension.DEPARTMENT, Dimension.CHANNEL)
    }
    clock.set(published + timedelta(hours=1))  # then the appeals move on
    moved_to = open_department(casework, scenario.department)
    handler = _handler(casework, scenario.department, moved_to)
    casework.retransfer(scenario.passed_on, department=moved_to, reason="职责调整", actor=CLERK)
    casework.acknowledge(scenario.passed_on, note="收到", actor=handler)
    casework.reply(scenario.passed_on, answer="已办结", basis="后勤管理规定", actor=handler)
    casework.reply(december, answer="已办结", basis="后勤管理规定", actor=handler)
    position = casework.acknowledge(scenario.reopened, note="再次受理", actor=handler).position
    metrics.wait(APPLICATION_NAME, position, timeout=10)
    later = published + timedelta(hours=2)

    for (label, dimension), then in shown.items():
        period = parse_period(label)
        as_of = AppealQuery(period.start, period.end, later, as_of=published)
        assert metrics.appeal_groups(as_of, dimension) == then
    now = metrics.appeal_groups(
        AppealQuery(periods[0].start, periods[0].end, later), Dimension.DEPARTMENT
    )
    assert moved_to in [group.key for group in now]


def test_filtered_figures_agree_with_the_unfiltered_table(
    metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    now = MONDAY + timedelta(days=40)
    everything = AppealQuery(MARCH.start, MARCH.end, now)
    one_department = AppealQuery(MARCH.start, MARCH.end, now, department=scenario.department)

    [by_department] = [
        group
        for group in metrics.appeal_groups(everything, Dimension.DEPARTMENT)
        if group.key == scenario.department
    ]
    [filtered] = metrics.appeal_groups(one_department, Dimension.DEPARTMENT)
    [by_channel] = metrics.appeal_groups(one_department, Dimension.CHANNEL)

    assert filtered == by_department
    assert by_channel.counts == by_department.counts
    assert by_channel.quantiles == by_department.quantiles


def test_a_period_not_of_whole_months_is_counted_from_each_appeal(
    metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    now = MONDAY + timedelta(days=40)
    the_day = AppealQuery(MONDAY - timedelta(hours=9), MONDAY + timedelta(hours=15), now)

    [group] = metrics.appeal_groups(
        AppealQuery(the_day.start, the_day.end, now, department=scenario.department),
        Dimension.DEPARTMENT,
    )

    assert group.counts[Figure.RAISED] == 3
    assert group.quantiles["response_hours_p50"] == pytest.approx(36.5, rel=0.01)


def test_the_roll_ups_equal_ones_summed_afresh_from_the_appeal_rows(
    services: Services, metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    metrics.wait(APPLICATION_NAME, scenario.position, timeout=10)
    counts = "period, start, department, channel, tier, category"
    durations = "period, start, dimension, key, kind, bucket"
    with psycopg.connect(conninfo(services.database_url)) as conn:
        kept = conn.execute(
            f"SELECT * FROM metrics_counts WHERE raised <> 0 ORDER BY {counts}"  # noqa: S608
        ).fetchall()
        afresh = conn.execute(
            "SELECT d.period, d.start, d.department, d.channel, d.tier, d.category,"
            " sum(d.raised), sum(d.responded), sum(d.responded_in_time), sum(d.replied),"
            " sum(d.resolved), sum(d.rated), sum(d.satisfied), sum(d.overdue_closed),"
            " sum(d.reopened), sum(d.transferred_3_plus), sum(d.awaiting)"
            " FROM metrics_appeals a, metrics_count_rows(a, 1) d"
            " GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
        ).fetchall()
        kept_durations = conn.execute(
            f"SELECT * FROM metrics_durations WHERE n <> 0 ORDER BY {durations}"  # noqa: S608
        ).fetchall()
        afresh_durations = conn.execute(
            "SELECT d.period, d.start, d.dimension, d.key, d.kind, d.bucket, sum(d.n)"
            " FROM metrics_appeals a, metrics_duration_rows(a, 1) d"
            " GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
        ).fetchall()

    assert kept == afresh
    assert kept_durations == afresh_durations
    assert any(row[2] == scenario.department for row in kept)


def _rows(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    tables = VIEWS["metrics"].view.tables
    with psycopg.connect(conninfo(services.database_url)) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} t ORDER BY t::text").fetchall()  # noqa: S608
            for table in tables
        }


@pytest.fixture
def paused_metrics(services: Services) -> Iterator[None]:
    """The session's metrics runner, stopped for the test and started again after it."""
    services.views.stop_runners(["metrics"])
    yield
    services.views.start_runners(["metrics"])


@pytest.mark.parametrize("held", [None, 1], ids=["rows-in-memory", "rows-written-out-early"])
def test_a_rebuild_gives_the_same_rows_as_the_live_view(
    services: Services,
    casework: Casework,
    clock: ManualClock,
    paused_metrics: None,
    monkeypatch: pytest.MonkeyPatch,
    held: int | None,
) -> None:
    if held is not None:  # past the limit, rows are written and later changes go as SQL
        monkeypatch.setattr("infrastructure.views.REBUILD_ROWS_LIMIT", held)
    play(casework, clock)
    run_to_head(services, "metrics")
    live = _rows(services)

    services.views.rebuild("metrics")

    assert _rows(services) == live
    assert live["metrics_appeal_versions"]
    # The rebuild fills the roll-ups without their keys, then builds them: they are back,
    # and the live trigger's upserts (ON CONFLICT on them) apply the next event.
    with psycopg.connect(conninfo(services.database_url)) as conn:
        keys: dict[str, str] = dict(
            conn.execute(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE contype = 'p' AND conrelid::regclass::text = ANY(%s)",
                (list(ROLLUP_KEYS),),
            ).fetchall()
        )
    assert keys == ROLLUP_KEYS
    play(casework, clock)
    run_to_head(services, "metrics")


def _submitted_items(services: Services, clock: ManualClock, count: int) -> tuple[str, list[UUID]]:
    """`count` action items of a new department, due in a week, all submitted for acceptance."""
    department = open_department(services.casework, "items")
    works = scoped(services.casework, "D-works", Role.DEPARTMENT, departments=[department])
    meeting_id = decided_joint_meeting(services.meetings, clock)
    items = [
        services.meetings.create_action_item(
            meeting_id,
            decision_ref="D1",
            task=f"Canteen hours {n}",
            department=department,
            deadline=clock() + timedelta(days=7),
            acceptance_criteria="Posted at the canteen door",
            actor=HR,
        ).id
        for n in range(count)
    ]
    for item_id in items:
        services.meetings.submit_for_acceptance(item_id, note="Done", actor=works)
    return department, items


def test_action_items_count_acceptance_on_time_per_department(
    services: Services, metrics: MetricsView, clock: ManualClock
) -> None:
    department, items = _submitted_items(services, clock, 2)
    position = services.meetings.accept_item(items[0], note="Seen", actor=HR).position
    metrics.wait(APPLICATION_NAME, position, timeout=10)

    period = parse_period(month_of(clock() + timedelta(days=7)))
    groups = metrics.action_item_groups(period.start, period.end)

    [group] = [g for g in groups if g.department == department]
    assert (group.due, group.submitted, group.accepted, group.accepted_on_time) == (2, 2, 1, 1)


def test_provenance_lists_the_action_items_behind_each_figure(
    services: Services, metrics: MetricsView, clock: ManualClock
) -> None:
    department, items = _submitted_items(services, clock, 2)
    submitted = clock()
    clock.advance(timedelta(hours=1))
    position = services.meetings.accept_item(items[0], note="Seen", actor=HR).position
    metrics.wait(APPLICATION_NAME, position, timeout=10)
    period = parse_period(month_of(clock() + timedelta(days=7)))

    def listed(figure: ItemFigure, as_of: datetime | None = None) -> list[ItemRef]:
        return metrics.action_item_cases(figure, period.start, period.end, as_of, department)

    [group] = [
        g
        for g in metrics.action_item_groups(period.start, period.end)
        if g.department == department
    ]
    for figure in ItemFigure:
        assert len(listed(figure)) == getattr(group, figure.value), figure
    assert {item.id for item in listed(ItemFigure.DUE)} == set(items)
    [accepted] = listed(ItemFigure.ACCEPTED_ON_TIME)
    assert (accepted.id, accepted.department) == (items[0], department)
    assert accepted.accepted_at == clock()
    # As the list stood before the acceptance: nothing accepted, and no time from later on.
    assert listed(ItemFigure.ACCEPTED, as_of=submitted) == []
    assert all(item.accepted_at is None for item in listed(ItemFigure.DUE, as_of=submitted))
    everyone = metrics.action_item_cases(ItemFigure.DUE, period.start, period.end)
    assert set(items) <= {item.id for item in everyone}


def _penalties_one_reversed(
    services: Services, casework: Casework, clock: ManualClock
) -> tuple[Scenario, list[UUID]]:
    """Two penalties of the scenario's department; the second reversed two hours later."""
    scenario = play(casework, clock)
    penalties = [
        services.accountability.record_perfunctory_handling(
            scenario.passed_on, reason="推诿", actor=_supervisor(casework)
        ).id
        for _ in range(2)
    ]
    clock.advance(timedelta(hours=2))
    position = services.accountability.reverse(
        penalties[1], reason="复核撤销", actor=COMMITTEE
    ).position
    services.views.get("metrics").wait(APPLICATION_NAME, position, timeout=10)
    return scenario, penalties


def test_penalty_points_count_until_reversed(
    services: Services, metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario, _ = _penalties_one_reversed(services, casework, clock)

    groups = metrics.penalty_groups(MARCH.start, MARCH.end)

    [group] = [g for g in groups if g.department == scenario.department]
    assert (group.penalties, group.reversed, group.points) == (2, 1, -1)
    assert (group.yellow_cards, group.red_cards) == (0, 0)


def test_provenance_lists_the_penalties_behind_each_figure(
    services: Services, metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario, (counting, reversed_) = _penalties_one_reversed(services, casework, clock)
    before_reversal = clock() - timedelta(hours=1)

    def listed(figure: PenaltyFigure, as_of: datetime | None = None) -> list[UUID]:
        cases = metrics.penalty_cases(figure, MARCH.start, MARCH.end, as_of, scenario.department)
        return [case.id for case in cases]

    assert sorted(listed(PenaltyFigure.PENALTIES)) == sorted([counting, reversed_])
    assert listed(PenaltyFigure.REVERSED) == [reversed_]
    assert listed(PenaltyFigure.POINTS) == [counting]
    assert listed(PenaltyFigure.YELLOW_CARDS) == listed(PenaltyFigure.RED_CARDS) == []
    # Before the reversal, both penalties' points counted and neither shows a reversal.
    assert sorted(listed(PenaltyFigure.POINTS, before_reversal)) == sorted([counting, reversed_])
    assert listed(PenaltyFigure.REVERSED, before_reversal) == []
    [case] = metrics.penalty_cases(
        PenaltyFigure.REVERSED, MARCH.start, MARCH.end, department=scenario.department
    )
    assert (case.case_type, case.points, case.reversed_at) == ("penalty", -1, clock())


def test_provenance_lists_the_cards_of_a_colour(
    services: Services, metrics: MetricsView, clock: ManualClock
) -> None:
    department = open_department(services.casework, "cards")
    _at(clock, 0)
    accountability = services.accountability
    penalties = [
        accountability.record_automatic(
            RuleCode.ABSENT_FROM_TALK,
            department=department,
            case=PenaltyCase(CaseType.MEETING, uuid.uuid4(), "Talk"),
            occurrence_key=department,
        ).id
        for _ in range(3)
    ]
    period = accountability.current_period()
    records = accountability.penalty_records(department, period, penalties)
    issued = accountability.evaluate_cards(department, period, records, actor=COMMITTEE).issued
    assert issued is not None
    metrics.wait(APPLICATION_NAME, issued.position, timeout=10)

    def listed(figure: PenaltyFigure) -> list[PenaltyRef]:
        return metrics.penalty_cases(figure, MARCH.start, MARCH.end, department=department)

    [card] = listed(PenaltyFigure.YELLOW_CARDS)
    assert (card.id, card.case_type, card.colour, card.at) == (issued.id, "card", "yellow", clock())
    assert listed(PenaltyFigure.RED_CARDS) == []
    assert {case.id for case in listed(PenaltyFigure.POINTS)} == set(penalties)


def test_penalties_and_action_items_as_of_a_past_moment_show_what_stood_then(
    services: Services, metrics: MetricsView, casework: Casework, clock: ManualClock
) -> None:
    scenario = play(casework, clock)
    penalty = services.accountability.record_perfunctory_handling(
        scenario.passed_on, reason="推诿", actor=_supervisor(casework)
    ).id
    before_reversal = clock()
    clock.advance(timedelta(hours=2))
    position = services.accountability.reverse(penalty, reason="复核撤销", actor=COMMITTEE).position

    department = open_department(casework, "items")
    works = scoped(casework, "D-works", Role.DEPARTMENT, departments=[department])
    meeting_id = decided_joint_meeting(services.meetings, clock)
    item = services.meetings.create_action_item(
        meeting_id,
        decision_ref="D1",
        task="Canteen hours",
        department=department,
        deadline=clock() + timedelta(days=7),
        acceptance_criteria="Posted at the canteen door",
        actor=HR,
    ).id
    clock.advance(timedelta(hours=1))
    services.meetings.submit_for_acceptance(item, note="Done", actor=works)
    submitted = clock()
    clock.advance(timedelta(hours=1))
    position = services.meetings.accept_item(item, note="Seen", actor=HR).position
    metrics.wait(APPLICATION_NAME, position, timeout=10)

    def penalty_group(as_of: datetime | None) -> tuple[int, int, int]:
        [group] = [
            g
            for g in metrics.penalty_groups(MARCH.start, MARCH.end, as_of)
            if g.department == scenario.department
        ]
        return group.penalties, group.reversed, group.points

    assert penalty_group(before_reversal) == (1, 0, -1)  # as the ranking showed then
    assert penalty_group(None) == (1, 1, 0)

    period = parse_period(month_of(clock() + timedelta(days=7)))

    def item_group(as_of: datetime | None) -> tuple[int, int, int]:
        [group] = [
            g
            for g in metrics.action_item_groups(period.start, period.end, as_of)
            if g.department == department
        ]
        return group.due, group.submitted, group.accepted

    assert item_group(submitted) == (1, 1, 0)
    assert item_group(None) == (1, 1, 1)
    assert item_group(submitted - timedelta(minutes=30)) == (1, 0, 0)

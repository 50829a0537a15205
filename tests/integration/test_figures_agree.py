"""One store, three readers: the metrics table, the monthly report and the provenance lists
count a month's appeals alike, because each counts by the domain's rules
(`domain.appeal_figures`).

The month is March 2033, which no other test writes into: the monthly report counts every
event of its month, whoever wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.appeal_figures import Figure
from domain.calendar import CHINA_TZ
from domain.monthly_figures import ReportMonth
from domain.terms import Channel, Kind, Outcome, Rating
from projections.metrics import AppealQuery, Dimension, MetricsView
from projections.view import APPLICATION_NAME
from tests.conftest import open_department, scoped

CLERK = Actor("union-clerk-agree", Role.UNION_STAFF)
SYSTEM = Actor("huiyin", Role.SYSTEM)
#: A supervisor in the test directory.
SUPERVISOR_ID = "S-zhao"
MARCH = ReportMonth(2033, 3)
#: Monday 2033-03-07, 09:00 China time: every appeal is raised then.
MONDAY = datetime(2033, 3, 7, 9, 0, tzinfo=CHINA_TZ)
#: When the last appeal is answered, in April, and when the figures are read.
APRIL = datetime(2033, 4, 6, 9, 0, tzinfo=CHINA_TZ)
READ_AT = APRIL + timedelta(hours=3)


@dataclass
class Month:
    """The month's appeals by what happened to them, and the last event's position."""

    ids: dict[str, UUID] = field(default_factory=dict)
    position: int = 0


def _raise(casework: Casework, channel: Channel, *, named: bool = True) -> tuple[UUID, str | None]:
    raised = casework.raise_appeal(
        AppealDraft(
            channel=channel,
            kind=Kind.COMPLAINT,
            category="agree-canteen",
            title="夜班食堂供餐时间太短",
            text="夜班下井前食堂只开放20分钟。",
            department="综合办",
            appellant=Appellant("王建国", "E10234") if named else None,
        ),
        CLERK,
    )
    return raised.id, raised.receipt_code


def play_march(casework: Casework, clock: ManualClock) -> Month:
    """Six appeals raised on MONDAY, handled in March as their names say."""
    department = open_department(casework, "agree")
    handler = scoped(casework, "dept-head-agree", Role.DEPARTMENT, departments=[department])
    month = Month()
    clock.set(MONDAY)
    ids = month.ids
    for name in ("on_time", "late", "dissatisfied", "never_answered"):
        ids[name], _ = _raise(casework, Channel.GRID_LIAISON)  # first response within 24 h
    # No first-response rule for the box: in time means by the reply deadline.
    ids["anonymous"], receipt = _raise(casework, Channel.ANONYMOUS_BOX, named=False)
    assert receipt is not None
    ids["on_the_spot"], _ = _raise(casework, Channel.RECEPTION_DAY)
    casework.answer_on_spot(ids["on_the_spot"], answer="已解决", basis="", close=True, actor=CLERK)
    for name in ("on_time", "late", "dissatisfied", "never_answered", "anonymous"):
        casework.transfer(ids[name], department=department, supervisor=SUPERVISOR_ID, actor=CLERK)

    clock.set(MONDAY + timedelta(hours=1))
    for name in ("on_time", "dissatisfied", "anonymous"):
        casework.acknowledge(ids[name], note="收到", actor=handler)
        casework.reply(ids[name], answer="延长至40分钟", basis="后勤管理规定", actor=handler)
        casework.publish_reply(ids[name], public_text="夜班供餐延长至40分钟", actor=CLERK)
    clock.set(MONDAY + timedelta(hours=3))
    casework.rate(ids["on_time"], rating=Rating.SATISFIED, comment="", actor=CLERK)
    casework.close_appeal(ids["on_time"], outcome=Outcome.RESOLVED, note="", actor=CLERK)
    casework.rate_by_receipt(receipt, rating=Rating.SATISFIED, comment="")
    casework.close_appeal(ids["anonymous"], outcome=Outcome.RESOLVED, note="", actor=CLERK)
    # Reopened with a new reply deadline in March, missed by the month's end.
    casework.rate(ids["dissatisfied"], rating=Rating.DISSATISFIED, comment="没解决", actor=CLERK)

    clock.set(MONDAY + timedelta(days=3))  # two days past the 24-hour response deadline
    casework.acknowledge(ids["late"], note="收到", actor=handler)
    clock.set(MONDAY + timedelta(days=10))  # past the 5-working-day reply deadline
    casework.reply(ids["late"], answer="已调整", basis="后勤管理规定", actor=handler)
    casework.publish_reply(ids["late"], public_text="已调整", actor=CLERK)
    casework.rate(ids["late"], rating=Rating.BASICALLY_SATISFIED, comment="", actor=CLERK)
    month.position = casework.close_appeal(
        ids["late"], outcome=Outcome.EXPLAINED, note="", actor=CLERK
    ).position

    # In April the one left unanswered is answered: March's figures as they stood at the
    # month's end leave that out, today's count it.
    clock.set(APRIL)
    casework.acknowledge(ids["never_answered"], note="收到", actor=handler)
    month.position = casework.reply(
        ids["never_answered"], answer="已调整", basis="后勤管理规定", actor=handler
    ).position
    return month


def _table(metrics: MetricsView, query: AppealQuery) -> dict[Figure, int]:
    """The metrics table's counts, summed over its rows."""
    groups = metrics.appeal_groups(query, Dimension.DEPARTMENT)
    return {figure: sum(group.counts[figure] for group in groups) for figure in Figure}


def _provenance(metrics: MetricsView, query: AppealQuery) -> dict[Figure, set[UUID]]:
    """The cases each figure lists."""
    return {figure: {case.id for case in metrics.appeal_cases(query, figure)} for figure in Figure}


@pytest.fixture(scope="module")
def march(services: Services, session_clock: ManualClock) -> Month:
    """March played once for the module (the report of a month is drafted once)."""
    month = play_march(services.casework, session_clock)
    metrics = services.views.typed("metrics", MetricsView)  # type: ignore[type-abstract]
    metrics.wait(APPLICATION_NAME, month.position, timeout=10)
    session_clock.follow_real_time()
    return month


@pytest.fixture
def metrics(services: Services, clock: ManualClock) -> MetricsView:
    """The metrics view, read in April 2033."""
    clock.set(READ_AT)
    return services.views.typed("metrics", MetricsView)  # type: ignore[type-abstract]


def test_the_metrics_the_monthly_report_and_the_provenance_count_a_month_alike(
    services: Services, metrics: MetricsView, march: Month
) -> None:
    ids = march.ids

    services.monthly_reports.draft(MARCH, actor=SYSTEM)
    report = services.monthly_reports.get(MARCH).figures
    at_end = AppealQuery(MARCH.start, MARCH.end, READ_AT, as_of=MARCH.end)
    table = _table(metrics, at_end)
    listed = _provenance(metrics, at_end)

    expected = {
        Figure.RAISED: set(ids.values()),
        Figure.RESPONDED: set(ids.values()) - {ids["never_answered"]},
        Figure.RESPONDED_IN_TIME: {
            ids[name] for name in ("on_time", "dissatisfied", "anonymous", "on_the_spot")
        },
        Figure.REPLIED: {ids[name] for name in ("on_time", "dissatisfied", "anonymous", "late")},
        Figure.RESOLVED: {ids[name] for name in ("on_time", "anonymous", "on_the_spot")},
        Figure.RATED: {ids[name] for name in ("on_time", "dissatisfied", "anonymous", "late")},
        Figure.SATISFIED: {ids[name] for name in ("on_time", "anonymous", "late")},
        Figure.OVERDUE_OPEN: {ids["never_answered"], ids["dissatisfied"]},
        Figure.OVERDUE_CLOSED: {ids["late"]},
        Figure.REOPENED: {ids["dissatisfied"]},
        Figure.TRANSFERRED_3_PLUS: set(),
    }
    assert listed == expected
    assert table == {figure: len(cases) for figure, cases in expected.items()}
    assert (
        report["appeals_raised"],
        report["resolved"],
        report["rated"],
        report["satisfied"],
        report["reopenings"],
    ) == (
        table[Figure.RAISED],
        table[Figure.RESOLVED],
        table[Figure.RATED],
        table[Figure.SATISFIED],
        table[Figure.REOPENED],
    )
    # Answered in the report: replied, or answered on the spot.
    assert report["answered"] == len(listed[Figure.REPLIED] | {ids["on_the_spot"]})


def test_live_figures_and_their_provenance_agree_after_the_month(
    metrics: MetricsView, march: Month
) -> None:
    live = AppealQuery(MARCH.start, MARCH.end, READ_AT)
    at_end = AppealQuery(MARCH.start, MARCH.end, READ_AT, as_of=MARCH.end)

    table = _table(metrics, live)
    listed = _provenance(metrics, live)

    assert table == {figure: len(cases) for figure, cases in listed.items()}
    # Answered in April: counted now, not as March's figures stood at its end.
    answered_in_april = march.ids["never_answered"]
    assert answered_in_april in listed[Figure.RESPONDED] & listed[Figure.REPLIED]
    assert answered_in_april not in listed[Figure.OVERDUE_OPEN]
    assert answered_in_april not in _provenance(metrics, at_end)[Figure.RESPONDED]
    assert listed[Figure.OVERDUE_OPEN] == {march.ids["dissatisfied"]}
    assert table[Figure.RAISED] == len(march.ids)

"""Appeals stored before response clocks started at raising: their `Raised` events (class
version 1) carry no response deadline, and read back with the one their channel's rule
gives (`Appeal.Raised.upcast_v1_v2`). After a rebuild the views measure them exactly as
appeals raised today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from domain.actors import Actor, Role
from domain.appeal import Appeal, Appellant
from domain.appeal_figures import Figure
from domain.calendar import CHINA_TZ
from domain.deadlines import DeadlineAct
from domain.terms import Channel, Kind, Urgency
from projections.case_index import CaseIndexView, CaseQuery, CaseType
from projections.deadline_board import DeadlineBoardView
from projections.metrics import AppealQuery, Dimension, MetricsView, parse_period
from tests.conftest import open_department

CLERK = Actor("union-clerk-upgrade", Role.UNION_STAFF)
#: Monday 2031-05-12, 09:00 China time: a month no other test writes into.
MONDAY = datetime(2031, 5, 12, 9, 0, tzinfo=CHINA_TZ)
MAY = parse_period("2031-05")
#: A grid liaison answers on the spot after 2 hours, another after 30: past the 24 hours.
ANSWERED_AFTER = (2, 30)
VIEWS = ("case_index", "deadline_board", "metrics")


def old_raised(casework: Casework, event: Appeal.Raised) -> StoredEvent:
    """`event` stored as the release before this change stored it: no response deadline,
    no class version (the library omits version 1)."""
    state = dict(vars(event))
    originator_id, version = state.pop("originator_id"), state.pop("originator_version")
    del state["response_deadline"]
    mapper = casework.mapper
    data = mapper.transcoder.encode(state)
    if mapper.compressor:
        data = mapper.compressor.compress(data)
    if mapper.cipher:
        data = mapper.cipher.encrypt(data)
    return StoredEvent(originator_id, version, get_topic(Appeal.Raised), data)


def answered_the_old_way(casework: Casework, department: str, hours: float) -> UUID:
    """A grid liaison's appeal raised on MONDAY and answered on the spot `hours` later,
    written to the store as the release before wrote it."""
    appeal = Appeal.raise_appeal(
        id=uuid4(),
        case_number=f"OLD-{uuid4().hex[:8]}",
        channel=Channel.GRID_LIAISON,
        kind=Kind.COMPLAINT,
        category="canteen",
        title="夜班食堂供餐时间太短",
        text="夜班下井前食堂只开放20分钟。",
        department=department,
        tier=None,
        urgency=Urgency.NORMAL,
        appellant=Appellant("王建国", "E10234"),
        receipt_hash=None,
        actor=CLERK,
        at=MONDAY,
    )
    appeal.answer_on_spot(
        answer="延长至40分钟",
        basis="后勤管理规定",
        close=False,
        actor=CLERK,
        at=MONDAY + timedelta(hours=hours),
    )
    raised, *rest = appeal.collect_events()
    assert isinstance(raised, Appeal.Raised)
    stored = [old_raised(casework, raised), *map(casework.mapper.to_stored_event, rest)]
    casework.recorder.insert_events(stored)
    return appeal.id


def answered_today(casework: Casework, clock: ManualClock, department: str, hours: float) -> UUID:
    """The same appeal, raised and answered through today's application."""
    clock.set(MONDAY)
    draft = AppealDraft(
        channel=Channel.GRID_LIAISON,
        kind=Kind.COMPLAINT,
        category="canteen",
        title="夜班食堂供餐时间太短",
        text="夜班下井前食堂只开放20分钟。",
        department=department,
        appellant=Appellant("王建国", "E10234"),
    )
    appeal_id = casework.raise_appeal(draft, CLERK).id
    clock.set(MONDAY + timedelta(hours=hours))
    casework.answer_on_spot(
        appeal_id, answer="延长至40分钟", basis="后勤管理规定", close=False, actor=CLERK
    )
    return appeal_id


@pytest.fixture
def paused_views(services: Services) -> Iterator[None]:
    """The session's runners of the views this test rebuilds, stopped during it."""
    services.views.stop_runners(list(VIEWS))
    yield
    services.views.start_runners(list(VIEWS))


def test_an_appeal_stored_before_reads_back_with_its_channels_response_deadline(
    casework: Casework,
) -> None:
    appeal_id = answered_the_old_way(casework, open_department(casework, "old"), 30)

    appeal = casework.get_appeal(appeal_id)

    assert appeal.response_deadline is not None
    assert appeal.response_deadline.due == MONDAY + timedelta(hours=24)
    assert appeal.response_deadline.rule == "response.grid-liaison"
    assert appeal.first_response_at == MONDAY + timedelta(hours=30)


def test_after_a_rebuild_old_and_new_appeals_are_measured_alike(
    services: Services, casework: Casework, clock: ManualClock, paused_views: None
) -> None:
    old, new = open_department(casework, "old"), open_department(casework, "new")
    for hours in ANSWERED_AFTER:
        answered_the_old_way(casework, old, hours)
        answered_today(casework, clock, new, hours)

    for name in VIEWS:
        services.views.rebuild(name)

    metrics = services.views.typed("metrics", MetricsView)  # type: ignore[type-abstract]
    query = AppealQuery(MAY.start, MAY.end, MONDAY + timedelta(days=40), None)
    counts = {
        group.key: group.counts
        for group in metrics.appeal_groups(query, Dimension.DEPARTMENT)
        if group.key in (old, new)
    }
    # Two responded, one in time: the liaison who answered after 30 hours was late. The
    # release before counted both in time (it knew no deadline for an untransferred appeal).
    for department in (old, new):
        figures = counts[department]
        assert (figures[Figure.RESPONDED], figures[Figure.RESPONDED_IN_TIME]) == (2, 1)


def test_after_a_rebuild_an_old_urgent_appeal_nobody_answered_is_overdue_and_watched(
    services: Services, casework: Casework, paused_views: None
) -> None:
    appeal = Appeal.raise_appeal(
        id=uuid4(),
        case_number=f"OLD-{uuid4().hex[:8]}",
        channel=Channel.URGENT,
        kind=Kind.HARDSHIP,
        category="work-injury",
        title="Injured on shift",
        text="Needs help with the work-injury claim.",
        department=open_department(casework, "old"),
        tier=None,
        urgency=Urgency.NORMAL,
        appellant=Appellant("李工", "E20001"),
        receipt_hash=None,
        actor=CLERK,
        at=MONDAY,
    )
    [raised] = appeal.collect_events()
    assert isinstance(raised, Appeal.Raised)
    casework.recorder.insert_events([old_raised(casework, raised)])

    for name in VIEWS:
        services.views.rebuild(name)

    board = services.views.typed("deadline_board", DeadlineBoardView)  # type: ignore[type-abstract]
    owed = [due for due in board.due_before(MONDAY + timedelta(days=3), 100_000)]
    assert [(due.act, due.due_at) for due in owed if due.case_id == appeal.id] == [
        (DeadlineAct.FIRST_RESPONSE.value, MONDAY + timedelta(hours=48))
    ]

    cases = services.views.typed("case_index", CaseIndexView)  # type: ignore[type-abstract]
    overdue = cases.list_cases(
        CaseQuery(
            CaseType.APPEAL,
            overdue=True,
            now=MONDAY + timedelta(days=3),
            opened_from=MONDAY,
            opened_before=MONDAY + timedelta(hours=1),
            limit=1000,
        )
    ).rows
    [row] = [row for row in overdue if row.id == appeal.id]
    assert row.response_due == MONDAY + timedelta(hours=48)

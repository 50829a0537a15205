"""Views on PostgreSQL: exactly once, one runner per view, rebuilds equal to the live rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from infrastructure.projection_runner import VIEWS, ViewBusy, ViewRunner, rebuild
from projections.cases import CaseIndex, CaseIndexView
from projections.view import APPLICATION_NAME

CLERK = Actor("union-clerk-1", Role.UNION_STAFF)


def _raise(casework: Casework, department: str) -> int:
    draft = AppealDraft(
        channel=Channel.DEPARTMENT_LIAISON,
        kind=Kind.QUESTION,
        category="pay",
        title="加班费计算方式",
        text="十月加班费比往常少",
        department=department,
    )
    return casework.raise_appeal(draft, CLERK).position


def _rows(services: Services) -> list[dict[str, Any]]:
    with psycopg.connect(conninfo(services.database_url)) as conn, conn.cursor() as curs:
        curs.execute("SELECT * FROM case_index ORDER BY id")
        names = [column.name for column in curs.description or ()]
        return [dict(zip(names, row, strict=True)) for row in curs.fetchall()]


@pytest.fixture
def paused_case_index(services: Services) -> Iterator[None]:
    """The session's case index runner, stopped for the test and started again after it."""
    services.views.stop_runners(["case_index"])
    yield
    services.views.start_runners(["case_index"])


def test_a_view_applies_each_event_once_and_refuses_it_twice(
    services: Services, casework: Casework
) -> None:
    position = _raise(casework, "财务部")
    view = services.views.typed("case_index", CaseIndexView)  # type: ignore[type-abstract]
    view.wait(APPLICATION_NAME, position, timeout=5)
    before = _rows(services)

    notification = casework.recorder.select_notifications(position, 1)[0]
    event = casework.mapper.to_domain_event(notification)
    with pytest.raises(IntegrityError):
        CaseIndex(view=view).process_event(event, Tracking(APPLICATION_NAME, position))
    assert _rows(services) == before


def test_waiting_for_a_position_not_yet_reached_times_out(services: Services) -> None:
    view = services.views.get("case_index")
    with pytest.raises(TimeoutError, match="case_index"):
        view.wait(APPLICATION_NAME, services.views.head() + 1_000, timeout=0.05)


def test_a_rebuild_gives_the_same_rows_as_the_live_view(
    services: Services, casework: Casework, paused_case_index: None
) -> None:
    view = services.views.get("case_index")
    for department in ("安全监察部", "人力资源部"):
        _raise(casework, department)
    head = services.views.head()
    runner = ViewRunner(VIEWS["case_index"], services.views._env, conninfo(services.database_url))
    runner.start()
    try:
        view.wait(APPLICATION_NAME, head, timeout=10)
    finally:
        runner.stop()
    live = _rows(services)

    seen: list[tuple[int, int]] = []
    replayed = services.views.rebuild(
        "case_index", progress=lambda done, total: seen.append((done, total))
    )

    assert 0 < replayed <= head  # positions may have gaps (rolled-back writes)
    assert seen[-1] == (head, head)
    assert _rows(services) == live
    assert view.position() == head


def test_a_rebuild_is_refused_while_another_process_runs_the_view(services: Services) -> None:
    spec = VIEWS["case_index"]
    assert services.views.wait_leading("case_index", 10)
    with pytest.raises(ViewBusy, match="case_index"):
        rebuild(spec, services.views._env, conninfo(services.database_url))


def test_a_second_runner_stands_by_and_takes_over_when_the_leader_stops(
    services: Services, casework: Casework, paused_case_index: None
) -> None:
    spec = VIEWS["case_index"]
    env, info = services.views._env, conninfo(services.database_url)
    leader = ViewRunner(spec, env, info)
    standby = ViewRunner(spec, env, info, standby_seconds=0.05)
    leader.start()
    assert leader.leading["case_index"].wait(10)
    standby.start()
    try:
        position = _raise(casework, f"部门-{uuid.uuid4().hex[:6]}")
        services.views.get("case_index").wait(APPLICATION_NAME, position, timeout=10)
        assert not standby.leading["case_index"].is_set()

        leader.stop()
        assert standby.leading["case_index"].wait(10)
        position = _raise(casework, f"部门-{uuid.uuid4().hex[:6]}")
        services.views.get("case_index").wait(APPLICATION_NAME, position, timeout=10)
    finally:
        leader.stop()
        standby.stop()


def test_the_status_tells_who_runs_each_view(services: Services, paused_case_index: None) -> None:
    def runner_of_case_index() -> str:
        status = {entry["name"]: entry for entry in services.views.status()}
        return str(status["case_index"]["runner"])

    assert runner_of_case_index() == "none"  # nobody holds its lock: a dead worker shows
    other = ViewRunner(VIEWS["case_index"], services.views._env, conninfo(services.database_url))
    other.start()
    try:
        assert other.leading["case_index"].wait(10)
        assert runner_of_case_index() == "elsewhere"
    finally:
        other.stop()
    assert {e["runner"] for e in services.views.status() if e["name"] != "case_index"} == {
        "leading"
    }

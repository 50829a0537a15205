"""Views on PostgreSQL: exactly once, one runner per view, rebuilds equal to the live rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from api.bootstrap import Services, build_services
from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.appeal import Appeal
from domain.terms import Channel, Kind
from infrastructure import projection_runner
from infrastructure.case_index_view import PostgresCaseIndexView
from infrastructure.database import conninfo
from infrastructure.projection_runner import ViewRunner
from infrastructure.replay import Decoder, LogRows, replay
from infrastructure.view_commits import TOGETHER, applied_together
from infrastructure.view_locks import lock_key, try_lock, view_lock
from infrastructure.view_people import ViewPeople
from infrastructure.view_rebuild import ViewBusy, rebuild
from infrastructure.view_registry import VIEWS, EventLog
from projections.case_index import CaseIndex, CaseIndexView
from projections.view import APPLICATION_NAME
from tests.conftest import open_department, scoped
from tests.integration.runners import run_to_head
from tests.unit.builders import raise_named

CLERK = Actor("union-clerk-1", Role.UNION_STAFF)
HANDLER_ID = "logistics-handler-1"
#: A supervisor the test directory knows (transfers outside a talk must name one).
SUPERVISOR = "union-vice-chair"

#: Each view a rebuild keeps in memory, with the tables it fills.
HELD_VIEWS = {
    "case_index": ("case_index",),
    "deadline_board": ("deadline_board",),
    "audit_trail": ("audit_trail", "audit_trail_cases"),
}


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


def _rows(services: Services, table: str = "case_index") -> list[dict[str, Any]]:
    with psycopg.connect(conninfo(services.database_url)) as conn, conn.cursor() as curs:
        curs.execute(f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608  # test's own names
        names = [column.name for column in curs.description or ()]
        return [dict(zip(names, row, strict=True)) for row in curs.fetchall()]


def _moving_appeals(casework: Casework) -> None:
    """Appeals whose rows change after they open: transferred, handed on to a second
    department (two departments), acknowledged, replied."""
    handed_on = {n: open_department(casework, "部门") for n in (1, 2)}
    handler = scoped(casework, HANDLER_ID, Role.DEPARTMENT, departments=[handed_on[2]])
    for n in range(3):
        appeal = casework.raise_appeal(
            AppealDraft(
                channel=Channel.GRID_LIAISON,
                kind=Kind.COMPLAINT,
                category="canteen",
                title=f"夜班供餐 {n}",
                text="夜班下井前食堂只开放20分钟",
                department="后勤服务中心",
            ),
            CLERK,
        ).id
        casework.transfer(appeal, department="后勤服务中心", supervisor=SUPERVISOR, actor=CLERK)
        if n > 0:
            casework.retransfer(appeal, department=handed_on[n], reason="职责划分", actor=CLERK)
        if n > 1:
            casework.acknowledge(appeal, note="已收到", actor=handler)


@pytest.fixture
def paused_held_views(services: Services) -> Iterator[None]:
    """The session's runners of the views rebuilt in memory, stopped for the test."""
    services.views.stop_runners(list(HELD_VIEWS))
    yield
    services.views.start_runners(list(HELD_VIEWS))


def _live_rows(services: Services, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Brings the views to the head with a runner of their own, then reads their tables."""
    run_to_head(services, *names)
    return {table: _rows(services, table) for name in names for table in HELD_VIEWS[name]}


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
    head = run_to_head(services, "case_index")
    live = _rows(services)

    seen: list[tuple[int, int]] = []
    replayed = services.views.rebuild(
        "case_index", progress=lambda done, total: seen.append((done, total))
    )

    assert 0 < replayed <= head  # positions may have gaps (rolled-back writes)
    assert seen[-1] == (head, head)
    assert _rows(services) == live
    assert view.position() == head


def test_rebuilds_one_after_another_each_take_the_view(
    services: Services, casework: Casework, paused_case_index: None
) -> None:
    """A rebuild lets go of the view's lock before it returns, so the next one, at once,
    is not refused as if another process ran the view."""
    _raise(casework, "安全监察部")
    head = services.views.head()
    for _ in range(3):
        services.views.rebuild("case_index")
    assert services.views.get("case_index").position() == head


def test_a_view_lock_is_free_as_soon_as_its_holder_is_done(services: Services) -> None:
    """Not only once the holder's server process has finished exiting: a rebuild that
    follows another at once must find the view free."""
    url = conninfo(services.database_url)
    with psycopg.connect(url, autocommit=True) as other:
        for _ in range(50):
            with view_lock(url, "lock-probe") as held:
                assert held is not None
            assert try_lock(other, "lock-probe")
            other.execute("SELECT pg_advisory_unlock(%s)", (lock_key("lock-probe"),))


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
        position = _raise(casework, open_department(casework, "部门"))
        services.views.get("case_index").wait(APPLICATION_NAME, position, timeout=10)
        assert not standby.leading["case_index"].is_set()

        leader.stop()
        assert standby.leading["case_index"].wait(10)
        position = _raise(casework, open_department(casework, "部门"))
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


def test_a_runner_that_stops_at_an_event_shows_why_to_every_process_until_it_gets_past(
    services: Services,
    casework: Casework,
    paused_case_index: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runners usually run in another process (serve's worker, `huiyin project`): the error
    is kept in the store, read by `status()`, and cleared once the view applies an event."""
    opened = PostgresCaseIndexView.open_case
    department = open_department(casework, "部门")

    def failing(view: Any, case: Any, tracking: Tracking) -> None:
        if case.department == department:
            raise RuntimeError("the disk is full")
        opened(view, case, tracking)

    monkeypatch.setattr(PostgresCaseIndexView, "open_case", failing)
    position = _raise(casework, department)
    runner = ViewRunner(
        VIEWS["case_index"],
        services.views._env,
        conninfo(services.database_url),
        standby_seconds=0.05,
    )
    runner.start()
    try:
        status = _status_error(services, "case_index")
        assert status["error_position"] == position
        assert "the disk is full" in status["error"]
        assert status["error_at"] is not None
        assert services.views.get("case_index").position() < position

        monkeypatch.setattr(PostgresCaseIndexView, "open_case", opened)
        services.views.get("case_index").wait(APPLICATION_NAME, position, timeout=10)
    finally:
        runner.stop()
    status = {e["name"]: e for e in services.views.status()}["case_index"]
    assert (status["error"], status["error_position"], status["error_at"]) == (None, None, None)


def _status_error(services: Services, name: str, timeout: float = 10) -> dict[str, Any]:
    """The view's status once its runner has recorded an error (or after `timeout`)."""
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    stopped = threading.Event()
    while time.monotonic() < deadline and not stopped.wait(0.02):
        status = {e["name"]: e for e in services.views.status()}[name]
        if status["error"]:
            stopped.set()
    return status


def test_a_runner_behind_the_log_catches_up_in_batches_applying_each_event_once(
    services: Services,
    casework: Casework,
    paused_case_index: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    department = open_department(casework, "部门")
    start = services.views.get("case_index").position()
    behind = [_raise(casework, department) for _ in range(30)]
    sizes: list[int] = []
    apply = projection_runner._apply

    def counted(*args: Any) -> None:
        if "case_index" in args[1]:  # not the session's runner of the other views
            sizes.append(len(args[-1]))
        apply(*args)

    monkeypatch.setattr(projection_runner, "_apply", counted)
    runner = ViewRunner(
        VIEWS["case_index"], services.views._env, conninfo(services.database_url), batch=8
    )
    runner.start()
    try:
        services.views.get("case_index").wait(APPLICATION_NAME, behind[-1], timeout=10)
    finally:
        runner.stop()

    rows = [r for r in _rows(services) if department in (r["departments"] or [])]
    assert len(rows) == 30
    assert sum(sizes) == behind[-1] - start  # none twice, none applied one by one again
    assert max(sizes) == 8
    assert len(sizes) < sum(sizes) / 2
    assert services.views.get("case_index").position() == behind[-1]


def test_a_runner_falling_behind_a_sustained_load_applies_batches_each_event_once(
    services: Services,
    casework: Casework,
    paused_case_index: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Commands keep coming while the runner follows them, slower than they come: it
    applies what has arrived by then in one transaction, not one event per transaction."""
    department = open_department(casework, "部门")
    view = services.views.get("case_index")
    start = view.position()
    sizes: list[int] = []
    apply = projection_runner._apply

    def slower(*args: Any) -> None:
        if "case_index" in args[1]:  # not the session's runner of the other views
            sizes.append(len(args[-1]))
            time.sleep(0.1)  # a runner slower than the writers: it falls behind
        apply(*args)

    monkeypatch.setattr(projection_runner, "_apply", slower)
    runner = ViewRunner(
        VIEWS["case_index"], services.views._env, conninfo(services.database_url), batch=50
    )
    runner.start()
    try:
        assert runner.leading["case_index"].wait(10)
        written = [_raise(casework, department) for _ in range(120)]
        view.wait(APPLICATION_NAME, written[-1], timeout=30)
    finally:
        runner.stop()

    assert sum(sizes) == written[-1] - start  # none twice
    assert (runner.applied, runner.batches) == (sum(sizes), len(sizes))
    assert max(sizes) > 1
    assert len(sizes) <= len(written) / 2
    rows = [r for r in _rows(services) if department in (r["departments"] or [])]
    assert len(rows) == 120


@pytest.mark.parametrize("where", ["python", "database"])
def test_an_event_failing_inside_a_batch_keeps_the_events_before_it(
    services: Services,
    casework: Casework,
    paused_case_index: None,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """A batch's statements are pipelined: a database error surfaces later than the
    statement that caused it, and must still be pinned on its event."""
    opened = PostgresCaseIndexView.open_case
    failing_department = open_department(casework, "部门")

    def failing(view: Any, case: Any, tracking: Tracking) -> None:
        if case.department != failing_department:
            opened(view, case, tracking)
        elif where == "python":
            raise RuntimeError("the disk is full")
        else:
            view.write(tracking, [("SELECT 1 / (SELECT count(*) - count(*) FROM case_index)", {})])

    monkeypatch.setattr(PostgresCaseIndexView, "open_case", failing)
    before = [_raise(casework, "财务部") for _ in range(3)]
    failed = _raise(casework, failing_department)
    after = _raise(casework, "财务部")
    runner = ViewRunner(
        VIEWS["case_index"],
        services.views._env,
        conninfo(services.database_url),
        standby_seconds=0.05,
        batch=10,
    )
    runner.start()
    try:
        status = _status_error(services, "case_index")
        assert status["error_position"] == failed
        assert ("the disk is full" if where == "python" else "division by zero") in status["error"]
        assert services.views.get("case_index").position() == before[-1]

        monkeypatch.setattr(PostgresCaseIndexView, "open_case", opened)
        services.views.get("case_index").wait(APPLICATION_NAME, after, timeout=10)
    finally:
        runner.stop()


@pytest.mark.parametrize("limit", [None, 1], ids=["in-memory", "written-out-at-once"])
def test_rebuilds_held_in_memory_give_the_live_rows(
    services: Services,
    casework: Casework,
    paused_held_views: None,
    monkeypatch: pytest.MonkeyPatch,
    limit: int | None,
) -> None:
    """Rows held in memory and copied at the end equal the live statements' rows; so do
    rows written out early (a limit of 1 case), whose later changes go as statements."""
    _moving_appeals(casework)
    names = list(HELD_VIEWS)
    live = _live_rows(services, names)
    assert any(len(row["departments"]) > 1 for row in live["case_index"])
    if limit is not None:
        monkeypatch.setattr("infrastructure.views.REBUILD_ROWS_LIMIT", limit)
        monkeypatch.setattr("infrastructure.audit_trail_view.COPY_ROWS", 2)

    for name in names:
        services.views.rebuild(name)

    assert {table: _rows(services, table) for table in live} == live
    head = services.views.head()
    assert all(services.views.get(name).position() == head for name in names)


def test_a_case_lists_its_departments_in_the_order_it_first_came_to_each(
    services: Services, casework: Casework, paused_case_index: None
) -> None:
    """Live and rebuilt alike: a department it comes back to keeps its first place."""
    appeal = casework.raise_appeal(
        AppealDraft(
            channel=Channel.GRID_LIAISON,
            kind=Kind.COMPLAINT,
            category="safety",
            title="巷道照明不足",
            text="三号巷道照明灯坏了一半",
            department="机电科",
        ),
        CLERK,
    ).id
    casework.transfer(appeal, department="安监处", supervisor=SUPERVISOR, actor=CLERK)
    casework.retransfer(appeal, department="机电科", reason="设备归口", actor=CLERK)
    casework.retransfer(appeal, department="后勤服务中心", reason="照明归后勤", actor=CLERK)
    live = _live_rows(services, ["case_index"])["case_index"]

    services.views.rebuild("case_index")

    row = next(row for row in live if row["id"] == appeal)
    assert row["departments"] == ["机电科", "安监处", "后勤服务中心"]
    assert _rows(services) == live


def test_a_rebuild_leaves_its_tables_counted_and_all_visible(
    services: Services, casework: Casework, paused_held_views: None
) -> None:
    """The planner knows each refilled table's row count (TRUNCATE had reset it) and the
    visibility map covers every page (index-only scans read no rows)."""
    _moving_appeals(casework)
    for name in HELD_VIEWS:
        services.views.rebuild(name)

    with psycopg.connect(conninfo(services.database_url)) as conn:
        for table in (table for tables in HELD_VIEWS.values() for table in tables):
            row = conn.execute(
                "SELECT reltuples, relpages, relallvisible FROM pg_class WHERE relname = %s",
                (table,),
            ).fetchone()
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            assert row is not None
            assert count is not None
            assert (row[0], row[2]) == (count[0], row[1]), table


def test_a_failed_rebuild_leaves_the_old_rows(
    services: Services,
    casework: Casework,
    paused_case_index: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _moving_appeals(casework)
    live = _live_rows(services, ["case_index"])
    position = services.views.get("case_index").position()
    applied = 0

    def failing(row: list[Any], change: Any, people: list[str]) -> None:
        nonlocal applied
        applied += 1
        if applied == 3:
            raise RuntimeError("projection failed")

    monkeypatch.setattr("infrastructure.case_index_view._apply", failing)
    with pytest.raises(RuntimeError, match="projection failed"):
        services.views.rebuild("case_index")

    assert _rows(services) == live["case_index"]
    assert services.views.get("case_index").position() == position


def test_the_rebuild_reader_decodes_as_the_library_does(
    services: Services, casework: Casework
) -> None:
    """Every stored event, read in binary and decoded by `Decoder`, equals what the
    library's `select_notifications` and mapper make of it; `replay` yields them all."""
    _moving_appeals(casework)
    head = services.views.head()
    recorder, mapper = casework.recorder, casework.mapper
    expected = [
        (n.id, mapper.to_domain_event(n)) for n in recorder.select_notifications(1, head + 1)
    ]
    rows = LogRows(recorder)(1, head + 1, head, ())
    decode = Decoder(mapper)
    decoded = [(row[0], decode.decode(*row[1:])) for row in rows]
    assert [position for position, _ in decoded] == [position for position, _ in expected]
    for (_, got), (_, want) in zip(decoded, expected, strict=True):
        assert type(got) is type(want)
        assert vars(got) == vars(want)
        assert {k: type(v) for k, v in vars(got).items()} == {
            k: type(v) for k, v in vars(want).items()
        }

    events = EventLog(services.views._env)
    try:
        replayed = [pair for batch in replay(events, head, batch=7) for pair in batch]
        some = CaseIndex.event_topics()
        filtered = [pair for batch in replay(events, head, some, batch=7) for pair in batch]
    finally:
        events.close()
    assert [position for position, _ in replayed] == [position for position, _ in expected]
    assert [position for position, _ in filtered] == [
        n.id for n in recorder.select_notifications(1, head + 1, topics=some)
    ]


def test_an_event_holding_a_nul_character_does_not_stop_the_views(
    services: Services, casework: Casework, paused_held_views: None
) -> None:
    """The API and the domain refuse U+0000, but an event stored before they did (written
    here around the domain) reaches views as U+FFFD, live and rebuilt alike, rather than
    failing every write of every view at its position."""
    appeal = raise_named()
    (raised,) = appeal.pending_events
    object.__setattr__(raised, "title", "夜班\x00食堂")
    object.__setattr__(raised, "department", "后勤\x00服务中心")
    casework.save(appeal)
    head = services.views.head()

    live = _live_rows(services, list(HELD_VIEWS))
    for name in VIEWS:
        services.views.get(name).wait(APPLICATION_NAME, head, timeout=10)

    (indexed,) = [row for row in live["case_index"] if row["id"] == appeal.id]
    people = ViewPeople(services.keyring)
    assert people.opened(indexed["sealed_title"]) == "夜班\ufffd食堂"  # the appellant's words
    (entry,) = [row for row in live["audit_trail"] if row["position"] == head]
    assert entry["department"] == "后勤\ufffd服务中心"
    assert people.opened(entry["data"]["title"]["sealed"]) == "夜班\ufffd食堂"
    for name in HELD_VIEWS:
        services.views.rebuild(name)
    assert {
        table: _rows(services, table) for tables in HELD_VIEWS.values() for table in tables
    } == live
    stored: Appeal = casework.repository.get(appeal.id, version=1)
    assert stored.title == "夜班\x00食堂"  # the event keeps what it was stored with


def test_a_view_waits_for_its_own_database_not_another_ones_progress(
    services: Services, casework: Casework, scratch_url: str, tmp_path: Path
) -> None:
    """Views of two stores in one process (the relayed service of the outage tests, the
    benchmark's scratch stores) keep their progress apart: a wait on one is not answered
    by the other having got further."""
    position = casework.raise_appeal(
        AppealDraft(Channel.GRID_LIAISON, Kind.QUESTION, "pay", "加班费", "少发", "后勤服务中心"),
        Actor("U-progress", Role.UNION_STAFF),
    ).position
    services.views.get("case_index").wait(APPLICATION_NAME, position, timeout=10)
    other = services.settings.model_copy(
        update={"database_url": scratch_url, "data_dir": tmp_path, "projections": False}
    )

    with build_services(other) as elsewhere, pytest.raises(TimeoutError):
        elsewhere.views.get("case_index").wait(APPLICATION_NAME, position, timeout=0.3)


def test_a_views_commit_does_not_wait_for_the_disk_and_others_still_do(
    services: Services,
) -> None:
    """Views are derived from durable events: their transaction skips the WAL flush (a crash
    loses whole view commits, which the runner applies again), and nothing else does."""
    datastore = services.views._store.datastore  # the views' own pool
    with applied_together(datastore):
        assert TOGETHER.cursor is not None
        inside = TOGETHER.cursor.execute("SHOW synchronous_commit").fetchone()
    with datastore.transaction(commit=False) as curs:
        after = curs.execute("SHOW synchronous_commit").fetchone()

    assert inside is not None
    assert after is not None
    assert next(iter(inside.values())) == "off"
    assert next(iter(after.values())) == "on"

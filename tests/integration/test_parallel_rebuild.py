"""`huiyin rebuild` of several views at once, each in a process of its own: the same rows
as rebuilding them one by one and as the live runner's; a failing view is named, exits
non-zero and is left as it was while the others are rebuilt; Ctrl-C stops the children."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from api.bootstrap import Services
from api.cli import cli
from application.casework import AppealDraft, Casework
from domain.actors import Actor, Role
from domain.disclosure import SubjectType
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from infrastructure.keys import resolve_cipher_key
from infrastructure.parallel_rebuild import (
    Failed,
    Rebuilt,
    StoreAccess,
    rebuild_in_parallel,
    rebuild_view,
)
from infrastructure.view_registry import VIEWS
from tests.integration.runners import run_to_head
from tests.integration.test_views import CLERK, SUPERVISOR, _moving_appeals

MEMBER = Actor("committee-zhou", Role.COMMITTEE)
PENALISED = AppealDraft(
    Channel.GRID_LIAISON, Kind.COMPLAINT, "pay", "加班费", "少发", "后勤服务中心"
)


def _tables(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view's tables (the tracking tables too), in a defined order."""
    rows = {}
    with psycopg.connect(conninfo(services.database_url)) as conn:
        for spec in VIEWS.values():
            for table in (*spec.view.tables, f"{spec.name}_tracking"):
                found = conn.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
                rows[table] = sorted(found, key=repr)
    return rows


@pytest.fixture
def paused_views(services: Services) -> Iterator[None]:
    """The session's runners, stopped for the test and started again after it."""
    services.views.stop_runners(list(VIEWS))
    yield
    services.views.start_runners(list(VIEWS))


@pytest.fixture
def live(services: Services, casework: Casework, paused_views: None) -> dict[str, Any]:
    """Events for every view (moving appeals, a penalty, a published disclosure), applied
    by a live runner: every view's rows."""
    _moving_appeals(casework)
    raised = casework.raise_appeal(PENALISED, CLERK)  # a case penalised, a notice published
    casework.transfer(raised.id, department="后勤服务中心", supervisor=SUPERVISOR, actor=CLERK)
    services.accountability.record_perfunctory_handling(
        raised.id, reason="答复未回应诉求", actor=Actor(SUPERVISOR, Role.SUPERVISOR)
    )
    proposed = services.disclosures.propose(
        subject_type=SubjectType.PENALTIES_AND_CARDS,
        subject="后勤服务中心",
        title="考核扣分公示",
        body="后勤服务中心：搪塞应付 −1 分。",
        departments=["后勤服务中心"],
        actor=CLERK,
    )
    services.disclosures.approve(proposed.id, actor=MEMBER)
    services.disclosures.publish(proposed.id, actor=CLERK)
    run_to_head(services, *VIEWS)
    return _tables(services)


def _store(services: Services) -> StoreAccess:
    return StoreAccess(
        env=services.views.env,
        conninfo=conninfo(services.database_url),
        master=resolve_cipher_key(services.settings),
    )


def test_every_view_rebuilt_in_parallel_equals_the_live_rows_and_one_by_one(
    services: Services, live: dict[str, Any], run: CliRunner
) -> None:
    result = run.invoke(cli, ["rebuild", "--jobs", "3"])

    assert result.exit_code == 0, result.output
    assert _tables(services) == live
    for name in VIEWS:
        assert f"{name}: replayed " in result.stdout
    assert f"rebuilt {len(VIEWS)} of {len(VIEWS)} view(s)" in result.stdout
    assert "rebuilding 6 view(s), 3 at a time" in result.stderr

    for name in VIEWS:
        services.views.rebuild(name)
    assert _tables(services) == live


def test_a_view_whose_runner_runs_is_named_and_the_others_are_rebuilt(
    services: Services, live: dict[str, Any], run: CliRunner
) -> None:
    services.views.start_runners(["penalty_ledger"])
    try:
        assert services.views.wait_leading("penalty_ledger", 10)
        result = run.invoke(cli, ["rebuild", "case_index", "penalty_ledger", "metrics", "metrics"])
    finally:
        services.views.stop_runners(["penalty_ledger"])

    assert result.exit_code == 1
    assert "penalty_ledger: not rebuilt, left as it was: ViewBusy" in result.stderr
    assert "not rebuilt: penalty_ledger" in result.stderr
    assert "case_index: replayed " in result.stdout
    assert "rebuilt 2 of 3 view(s)" in result.stdout
    assert _tables(services) == live


def fail_metrics_midway(name: str, store: StoreAccess, progress: Callable[[int, int], None]) -> int:
    """A child's work that fails inside the metrics view's rebuild, after its first batch
    (its transaction open, its tables emptied)."""

    def failing(position: int, head: int) -> None:
        if name == "metrics":
            raise RuntimeError("the disk is full")
        progress(position, head)

    return rebuild_view(name, store, failing)


def test_a_view_failing_midway_is_rolled_back_and_the_others_committed(
    services: Services, live: dict[str, Any]
) -> None:
    head = services.views.head()
    outcomes = rebuild_in_parallel(
        ["metrics", "case_index", "audit_trail"],
        _store(services),
        jobs=2,
        target=fail_metrics_midway,
    )

    failed = [o for o in outcomes if isinstance(o, Failed)]
    assert [(o.name, o.error) for o in failed] == [("metrics", "RuntimeError: the disk is full")]
    assert sorted(o.name for o in outcomes if isinstance(o, Rebuilt)) == [
        "audit_trail",
        "case_index",
    ]
    assert _tables(services) == live
    assert services.views.get("metrics").position() == head


def test_ctrl_c_stops_every_child_and_leaves_the_views_as_they_were(
    services: Services, live: dict[str, Any]
) -> None:
    def interrupted(name: str, position: int, head: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild_in_parallel(list(VIEWS), _store(services), jobs=3, progress=interrupted)

    assert multiprocessing.active_children() == []
    assert _tables(services) == live

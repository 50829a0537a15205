"""Background work through a database outage: a view runner reconnects and catches up."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import psycopg
import pytest

from api.bootstrap import Services
from api.cli import EXIT_UNAVAILABLE, main
from application.casework import AppealDraft
from domain.actors import Actor, Role
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from infrastructure.pools import POOL_WAIT, check_connection
from infrastructure.projection_runner import ViewRunner
from infrastructure.settings import Settings
from infrastructure.view_registry import VIEWS
from projections.view import APPLICATION_NAME
from tests.dbproxy import DatabaseRelay, relay_to

CLERK = Actor("union-clerk-1", Role.UNION_STAFF)
DRAFT = AppealDraft(
    channel=Channel.GRID_LIAISON,
    kind=Kind.COMPLAINT,
    category="canteen",
    title="夜班食堂供餐时间太短",
    text="夜班下井前食堂只开放20分钟。",
    department="后勤服务中心",
)


@pytest.fixture
def relay(settings: Settings) -> Iterator[DatabaseRelay]:
    """A relay to the test database that the test can cut."""
    with relay_to(settings.database_url or "") as opened:
        yield opened


def test_a_view_runner_reconnects_after_a_restart_and_applies_what_came_meanwhile(
    services: Services,
    relay: DatabaseRelay,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = relay.url(services.database_url)
    env = {
        **services.views._env,
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(relay.port),
        POOL_WAIT: "0.5",
    }
    view = services.views.get("case_index")
    services.views.stop_runners(["case_index"])
    runner = ViewRunner([VIEWS["case_index"]], env, conninfo(url), standby_seconds=0.1)
    try:
        with caplog.at_level(logging.WARNING, logger="huiyin.projections"):
            runner.start()
            assert runner.leading["case_index"].wait(10)
            first = services.casework.raise_appeal(DRAFT, CLERK).position
            view.wait(APPLICATION_NAME, first, timeout=10)

            relay.refuse()  # the server goes down ...
            during = services.casework.raise_appeal(DRAFT, CLERK).position  # (not relayed)
            relay.restore()  # ... and comes back

            view.wait(APPLICATION_NAME, during, timeout=20)
            after = services.casework.raise_appeal(DRAFT, CLERK).position
            view.wait(APPLICATION_NAME, after, timeout=20)
    finally:
        runner.stop()
        services.views.start_runners(["case_index"])

    assert runner.error is None  # its last attempt went through
    failures = [r for r in caplog.records if "failed; retrying" in r.getMessage()]
    assert len(failures) == 1  # logged once, however many times it retried
    assert any("views case_index resumed after" in r.getMessage() for r in caplog.records)


def test_a_command_that_cannot_reach_the_database_says_so_in_one_line(
    settings: Settings,
    relay: DatabaseRelay,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    relay.refuse()
    monkeypatch.setenv("HUIYIN_DATABASE_URL", relay.url(settings.database_url or ""))
    monkeypatch.setenv("HUIYIN_CIPHER_KEY", settings.cipher_key.get_secret_value())  # type: ignore[union-attr]
    monkeypatch.setattr("sys.argv", ["huiyin", "token", "issue", "--actor", "a", "--role", "admin"])

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == EXIT_UNAVAILABLE
    message = capsys.readouterr().err.splitlines()
    assert message[0].startswith("database unavailable: ")
    assert "server closed the connection unexpectedly" in message[0]
    assert message[1] == "Is PostgreSQL running, and does HUIYIN_DATABASE_URL name it?"


def test_the_pools_check_passes_a_live_connection_and_refuses_a_dead_one(
    settings: Settings, relay: DatabaseRelay
) -> None:
    with (
        psycopg.connect(conninfo(settings.database_url or ""), autocommit=True) as live,
        psycopg.connect(conninfo(settings.database_url or ""), autocommit=True) as ended,
        psycopg.connect(conninfo(relay.url(settings.database_url or ""))) as cut_off,
    ):
        for conn in (live, ended, cut_off):
            check_connection(conn)  # all well, so far
        pid = ended.info.backend_pid
        # The server ends a session (and waits, up to 5 s, until its process has gone).
        live.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        relay.cut()  # the network drops one

        check_connection(live)
        for dead in (ended, cut_off):
            with pytest.raises(psycopg.OperationalError):
                check_connection(dead)

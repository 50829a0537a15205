"""Two `huiyin serve` processes on one store, both under load, one of them killed: every
background job still runs exactly once.

Each server (and its background worker) connects with an application name of its own
(`PGAPPNAME`), so PostgreSQL's `pg_locks` tells which process leads each view. Appeals are
raised and transferred over HTTP at both servers at once, while the test itself writes
appeals backdated by three weeks (through the application layer, with a clock of its own),
whose deadlines have passed: both servers' deadline watchers sweep every 0.3 s and race to
charge them. Midway the leading server is killed with SIGKILL (its worker with it); the
other takes the views over and the load goes on against it alone. Then:
- each view had one leader at a time: the first server until it died, the second after;
- every view is exact: its rows equal a rebuild's, table for table;
- the hash chain linked every event once and verifies;
- every missed deadline was charged once: one `DeadlineMissed` and one penalty each;
- every appeal a server acknowledged is in the store and in the case index.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from psycopg import sql
from pydantic import SecretStr

from api.bootstrap import Services, build_services
from application.casework import AppealDraft
from application.clock import ManualClock
from domain.actors import Actor, Role
from domain.terms import Channel, Kind
from infrastructure.database import conninfo
from infrastructure.keys import new_key
from infrastructure.settings import Environment, Settings
from infrastructure.view_locks import lock_key
from infrastructure.view_registry import VIEWS
from tests.e2e.conftest import HUIYIN, free_port, own_store_env, wait_until_healthy
from tests.e2e.test_serve import APPEAL, issue, organise

pytestmark = pytest.mark.e2e

LOAD_SECONDS = 6.0  # before the kill, and again after it against the survivor
CLIENTS_PER_SERVER = 2
CLERK = Actor("clerk", Role.UNION_STAFF)
BACKDATED = AppealDraft(
    channel=Channel.DEPARTMENT_LIAISON,
    kind=Kind.COMPLAINT,
    category="safety",
    title="井下照明不足",
    text="三号巷道照明损坏两周无人修理。",
    department="安监处",
)


@contextlib.contextmanager
def serving(env: dict[str, str], name: str, log: Path) -> Iterator[tuple[str, int]]:
    """`huiyin serve` in a session of its own (so it can be killed with its worker), its
    database connections named `name`; yields its base URL and process id."""
    port = free_port()
    with log.open("w", encoding="utf-8") as output:
        proc = subprocess.Popen(  # noqa: S603  # our own command, fixed arguments
            [HUIYIN, "serve", "--port", str(port)],
            env={**env, "PGAPPNAME": name},
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_until_healthy(base, proc)
            except AssertionError as error:
                raise AssertionError(
                    f"{error}\n{log.read_text(encoding='utf-8')[-3000:]}"
                ) from None
            yield base, proc.pid
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            with contextlib.suppress(ProcessLookupError):  # a worker left behind
                os.killpg(proc.pid, signal.SIGKILL)


def leaders(url: str) -> dict[str, list[str]]:
    """Per view, the application names of the sessions holding its advisory lock."""
    keys = {lock_key(name): name for name in VIEWS}
    held: dict[str, list[str]] = {name: [] for name in VIEWS}
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT (l.classid::bigint << 32) | l.objid::bigint, a.application_name"
            " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    for value, application in rows:
        signed = value - (1 << 64) if value >= (1 << 63) else value
        if signed in keys:
            held[keys[signed]].append(application)
    return held


def wait_for(what: str, check: Any, timeout: float = 60.0) -> None:
    """Polls `check()` (bounded) until it is true."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.1)


class Clients:
    """Threads raising and transferring appeals over HTTP until stopped or cut off."""

    def __init__(self, base: str, headers: dict[str, str], count: int) -> None:
        self.stop = threading.Event()
        self.acknowledged: list[UUID] = []
        self.refused: list[int] = []
        self.cut_off = 0
        self._base, self._headers = base, headers
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(count)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        with httpx.Client(base_url=self._base, headers=self._headers, timeout=10) as client:
            while not self.stop.is_set():
                try:
                    created = client.post("/appeals", json=APPEAL)
                    if created.status_code != 201:
                        self.refused.append(created.status_code)
                        continue
                    self.acknowledged.append(UUID(created.json()["id"]))
                    moved = client.post(
                        f"/appeals/{created.json()['id']}/transfer",
                        json={"department": "安监处", "supervisor": "safety-head"},
                    )
                    if moved.status_code != 200:
                        self.refused.append(moved.status_code)
                except httpx.TransportError:  # the server was killed
                    self.cut_off += 1
                    return

    def join(self) -> None:
        """Stops the clients and waits for them."""
        self.stop.set()
        for thread in self._threads:
            thread.join(30)


def backdated_writer(services: Services, stop: threading.Event, ids: list[UUID]) -> None:
    """Raises and transfers appeals three weeks in the past (their deadlines have passed)."""
    while not stop.is_set():
        appeal = services.casework.raise_appeal(BACKDATED, CLERK).id
        services.casework.transfer(
            appeal, department="安监处", supervisor="safety-head", actor=CLERK
        )
        ids.append(appeal)
        time.sleep(0.05)


def scalar(url: str, query: str | sql.Composed) -> Any:
    """The one value a query returns."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql.SQL(query) if isinstance(query, str) else query).fetchone()
        return row[0] if row else None


def positions(url: str) -> dict[str, int]:
    """Each view's tracking position."""
    query = sql.SQL("SELECT coalesce(max(notification_id), 0) FROM {}")
    return {
        name: int(scalar(url, query.format(sql.Identifier(f"{name}_tracking")))) for name in VIEWS
    }


#: Rows of one table missing from the other, both ways, and the live table's rows.
DIFFERING = sql.SQL(
    "SELECT (SELECT count(*) FROM ((SELECT t::text FROM {live} t)"
    " EXCEPT ALL (SELECT t::text FROM {copy} t)) a)"
    " + (SELECT count(*) FROM ((SELECT t::text FROM {copy} t)"
    " EXCEPT ALL (SELECT t::text FROM {live} t)) b),"
    " (SELECT count(*) FROM {live})"
)


def table_differences(url: str, rebuild: Any) -> dict[str, int]:
    """Rows that differ between each view table and a rebuild of it (copied aside first)."""
    tables = [table for spec in VIEWS.values() for table in spec.view.tables]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA live_copy")
        for table in tables:
            conn.execute(
                sql.SQL("CREATE TABLE {} AS TABLE {}").format(
                    sql.Identifier("live_copy", table), sql.Identifier("public", table)
                )
            )
    for name in VIEWS:
        rebuild(name)
    differences = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            row = conn.execute(
                DIFFERING.format(
                    live=sql.Identifier("public", table), copy=sql.Identifier("live_copy", table)
                )
            ).fetchone()
            assert row is not None
            differences[f"{table} ({row[1]} rows)"] = int(row[0])
    return differences


def test_two_servers_on_one_store_run_every_background_job_once(tmp_path: Path) -> None:
    if not os.environ.get("HUIYIN_TEST_DATABASE_URL"):
        pytest.skip("two servers share a PostgreSQL server (HUIYIN_TEST_DATABASE_URL)")
    key = new_key()
    with own_store_env(tmp_path / "var", prefix="huiyin_e2e_two") as env:
        env.update(
            HUIYIN_CIPHER_KEY=key,
            HUIYIN_WATCH_INTERVAL_SECONDS="0.3",
            # Four processes' pools starting on two busy cores: more than the default 0.5 s.
            HUIYIN_DATABASE_WAIT_SECONDS="5",
            HUIYIN_POOL_SIZE="2",  # the test server's 100 connections are shared
            HUIYIN_REQUESTS_PER_MINUTE_PER_TOKEN="0",
            HUIYIN_REQUESTS_PER_MINUTE_PER_ADDRESS="0",
        )
        url = conninfo(env["HUIYIN_DATABASE_URL"])
        organise(env, tmp_path)
        clerk = issue(env, "clerk", "union_staff")
        here = Settings(
            environment=Environment.TEST,
            database_url=env["HUIYIN_DATABASE_URL"],
            data_dir=tmp_path / "here",
            cipher_key=SecretStr(key),
            projections=False,
            watcher=False,
            chain_follow=False,
            background_process=False,
        )
        three_weeks_ago = ManualClock(datetime.now(UTC) - timedelta(days=21))
        with (
            build_services(here, clock=three_weeks_ago) as services,
            serving(env, "huiyin-a", tmp_path / "a.log") as (base_a, pid_a),
        ):
            wait_for(
                "a leads every view",
                lambda: all(held == ["huiyin-a"] for held in leaders(url).values()),
            )
            with serving(env, "huiyin-b", tmp_path / "b.log") as (base_b, _):
                seen: list[tuple[float, dict[str, list[str]]]] = []
                sampling = threading.Event()

                def sample() -> None:
                    while not sampling.is_set():
                        seen.append((time.monotonic(), leaders(url)))
                        sampling.wait(0.2)

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                stop_backdated = threading.Event()
                backdated: list[UUID] = []
                writer = threading.Thread(
                    target=backdated_writer, args=(services, stop_backdated, backdated)
                )
                writer.start()
                at_a = Clients(base_a, clerk, CLIENTS_PER_SERVER)
                at_b = Clients(base_b, clerk, CLIENTS_PER_SERVER)
                time.sleep(LOAD_SECONDS)
                connections = dict(
                    _rows(
                        url,
                        "SELECT application_name, count(*) FROM pg_stat_activity"
                        " WHERE application_name LIKE 'huiyin-%' GROUP BY 1",
                    )
                )

                os.killpg(pid_a, signal.SIGKILL)  # the leader and its worker, mid-load
                killed = time.monotonic()
                wait_for(
                    "b takes every view over",
                    lambda: all(held == ["huiyin-b"] for held in leaders(url).values()),
                    timeout=30,
                )
                took_over = time.monotonic() - killed
                time.sleep(LOAD_SECONDS)
                at_a.join()
                at_b.join()
                stop_backdated.set()
                writer.join(30)

                # Settle: every backdated deadline charged, then views and chain at the head.
                def charged() -> bool:
                    now = datetime.now(UTC)
                    return all(
                        not services.casework.get_appeal(i).missed_at(now) for i in backdated
                    )

                wait_for("every passed deadline charged", charged)
                time.sleep(1.0)  # a last sweep's card evaluation
                head = int(scalar(url, "SELECT max(notification_id) FROM huiyin_events"))
                wait_for("views at the head", lambda: min(positions(url).values()) >= head)
                wait_for(
                    "chain at the head",
                    lambda: (
                        int(scalar(url, "SELECT coalesce(max(position), 0) FROM huiyin_chain"))
                        >= head
                    ),
                )
                sampling.set()
                sampler.join()
            # Both servers stopped now (b cleanly): the rebuild takes the views' locks.
            acknowledged = at_a.acknowledged + at_b.acknowledged
            missed = [services.casework.get_appeal(i).missed_deadlines for i in backdated]
            verified = services.chain.verify()
            differences = table_differences(url, services.views.rebuild)
            events = int(scalar(url, "SELECT count(*) FROM huiyin_events"))
            unlinked = scalar(
                url,
                "SELECT count(*) FROM huiyin_events e FULL JOIN huiyin_chain c"
                " ON c.position = e.notification_id"
                " WHERE c.position IS NULL OR e.notification_id IS NULL",
            )
            links = int(scalar(url, "SELECT count(*) FROM huiyin_chain"))
            misses = int(
                scalar(
                    url,
                    "SELECT count(*) FROM huiyin_events WHERE topic LIKE '%Appeal.DeadlineMissed'",
                )
            )
            penalties = int(
                scalar(
                    url, "SELECT count(*) FROM huiyin_events WHERE topic LIKE '%Penalty.Recorded'"
                )
            )
            indexed = {UUID(str(row)) for row in _column(url, "SELECT id FROM case_index")}

    print(  # shown with -s: what the run did
        f"backdated {len(backdated)}, misses {misses}, penalties {penalties}, acknowledged "
        f"{len(acknowledged)} (cut off {at_a.cut_off}), events {events}, took over in "
        f"{took_over:.1f} s, samples {len(seen)}, connections {connections}, "
        f"tables {differences}"
    )
    before = [held for at, held in seen if at < killed]
    after = [held for at, held in seen if at > killed + took_over]
    assert before
    assert after
    # One leader per view at a time: a until it died, b after; b stood by before.
    assert all(held == ["huiyin-a"] for snapshot in before for held in snapshot.values())
    assert all(held == ["huiyin-b"] for snapshot in after for held in snapshot.values())
    assert took_over < 15
    assert differences
    assert not any(differences.values()), differences
    assert verified.intact
    assert verified.unchained == 0
    assert links == events
    assert unlinked == 0
    assert len(backdated) > 10
    assert all(missed)
    assert all(len(set(deadlines)) == len(deadlines) for deadlines in missed)  # none twice
    assert misses == sum(len(deadlines) for deadlines in missed)
    assert penalties == misses  # one penalty per missed deadline, from either watcher
    assert len(acknowledged) > 20
    assert not at_a.refused
    assert not at_b.refused
    assert set(acknowledged) <= indexed


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    """A query's rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql.SQL(query)).fetchall()


def _column(url: str, query: str) -> list[Any]:
    """The first column of a query's rows."""
    return [row[0] for row in _rows(url, query)]

"""Helpers of the two-server test (`test_two_servers`): servers in sessions of their own,
who leads each view (from `pg_locks`), HTTP clients, backdated appeals, and the comparison of
every view table with a rebuild of it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
from psycopg import sql

from api.bootstrap import Services
from application.casework import AppealDraft
from domain.actors import Actor, Role
from domain.terms import Channel, Kind
from infrastructure.view_locks import lock_key
from infrastructure.view_registry import VIEWS
from tests.e2e.conftest import HUIYIN, free_port, wait_until_healthy
from tests.e2e.test_serve import APPEAL

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
            # One HTTP process each (and its background worker): two machines' worth of
            # service on the shared test server's 100 connections; `--workers` has its own test.
            [HUIYIN, "serve", "--port", str(port), "--workers", "1"],
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


def head_still_for(url: str, seconds: float) -> Any:
    """A check for `tests.polling.until`: true once the store's newest event has not changed for
    `seconds` (the background jobs have nothing left to write)."""
    seen: list[tuple[int, float]] = []

    def still() -> bool:
        head = int(scalar(url, "SELECT coalesce(max(notification_id), 0) FROM huiyin_events"))
        now = time.monotonic()
        if not seen or seen[0][0] != head:
            seen[:] = [(head, now)]
        return now - seen[0][1] >= seconds

    return still


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


def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    """A query's rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql.SQL(query)).fetchall()


def column(url: str, query: str) -> list[Any]:
    """The first column of a query's rows."""
    return [row[0] for row in rows(url, query)]

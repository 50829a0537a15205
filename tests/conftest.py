"""Test wiring: the same bootstrap as the service, on a real PostgreSQL.

`HUIYIN_TEST_DATABASE_URL` names a server to use (a fresh database is created on it for
the session and dropped after); without it an embedded PostgreSQL is started.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from api.bootstrap import Services, build_services
from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Actor, Role
from infrastructure.database import connection_parts, embedded_server
from infrastructure.keys import new_key
from infrastructure.settings import Environment, Settings
from tests.organisation import PLAN


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database that exists only for this test session."""
    server_url = os.environ.get("HUIYIN_TEST_DATABASE_URL")
    if not server_url:
        with embedded_server(tmp_path_factory.mktemp("pg")) as url:
            yield url
        return
    parts = connection_parts(server_url)
    name = f"huiyin_test_{secrets.token_hex(4)}"
    admin = {**parts, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = server_url.split("?")[0].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings as the service would read them, pointing at the test database."""
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        data_dir=Path(tmp_path_factory.mktemp("data")),
        cipher_key=new_key(),  # type: ignore[arg-type]
        watcher=False,  # tests sweep explicitly, at the clock's moments they choose
        notices=False,  # the outbox's tests run their own senders against receivers of theirs
        background_process=False,  # the session's runners are threads the tests can steer
        # Tests send thousands of requests a minute with one token; the limits' own tests
        # build an app with them on (tests/api/test_rate_limit_http.py).
        requests_per_minute_per_token=0,
        requests_per_minute_per_address=0,
    )


@pytest.fixture(scope="session")
def session_clock() -> ManualClock:
    """The one clock the session's services read."""
    return ManualClock()


#: Who sets up the session's organisation directory.
SETUP = Actor("test-setup", Role.ADMIN)


@pytest.fixture(scope="session")
def services(settings: Settings, session_clock: ManualClock) -> Iterator[Services]:
    """The service's wiring, built once for the session, its directory filled with the
    organisation the tests name (`tests.organisation`)."""
    with build_services(settings, clock=session_clock) as built:
        built.casework.directory.apply_plan(PLAN, actor=SETUP)
        yield built


@pytest.fixture
def clock(session_clock: ManualClock) -> Iterator[ManualClock]:
    """The services' clock; follows real time unless a test sets it, and is reset after."""
    session_clock.follow_real_time()
    yield session_clock
    session_clock.follow_real_time()


@pytest.fixture
def casework(services: Services, clock: ManualClock) -> Casework:
    """The Casework application on the test database."""
    return services.casework


def open_department(casework: Casework, prefix: str = "Dept") -> str:
    """A department of one test's own, opened in the directory: its code and its name are
    `<prefix>-<8 hex digits>` (a prefix of letters, digits, `_`, `.` or `-`)."""
    code = f"{prefix}-{secrets.token_hex(4)}"
    casework.directory.open_department(code=code, name=code, actor=SETUP)
    return code


def scoped(casework: Casework, actor_id: str, role: Role, **scope: Any) -> Actor:
    """`actor_id` granted `role` in the directory with `scope` (departments=…, tiers=…),
    acting with the scope the directory then gives them."""
    casework.directory.grant(actor_id, role, actor=SETUP, **scope)
    actor = casework.directory.actor(actor_id, role)
    assert actor is not None
    return actor

"""Test wiring: the same bootstrap as the service, on a real PostgreSQL.

`HUIYIN_TEST_DATABASE_URL` names a server to use (a fresh database is created on it for
the session and dropped after); without it an embedded PostgreSQL is started.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from api.bootstrap import Services, build_services
from application.casework import Casework
from application.clock import ManualClock
from infrastructure.database import connection_parts, embedded_server
from infrastructure.keys import new_key
from infrastructure.settings import Environment, Settings


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
        background_process=False,  # the session's runners are threads the tests can steer
    )


@pytest.fixture(scope="session")
def session_clock() -> ManualClock:
    """The one clock the session's services read."""
    return ManualClock()


@pytest.fixture(scope="session")
def services(settings: Settings, session_clock: ManualClock) -> Iterator[Services]:
    """The service's wiring, built once for the session."""
    with build_services(settings, clock=session_clock) as built:
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
